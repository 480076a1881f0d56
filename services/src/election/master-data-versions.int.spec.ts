import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TallyReader } from '../db/read-replica';
import type { CHasilForm } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { migrate } from '../db/migration';
import { allMigrations } from '../app.migrations';
import { createPostgresTestDatabase, describeIfPostgres, openTestPglite, postgresSuiteGuard } from '../db/test-support/test-database';
import { DapilTalliesRepository } from '../projections/dapil-tallies.repository';
import { DapilTalliesService } from '../projections/dapil-tallies.service';
import { Projector } from '../projections/projector';
import { checkTallies, rebuildProjections } from '../projections/rebuild';
import { submitted } from '../projections/test-support/result-events';
import { projectionFixture, type ProjectionFixture } from '../projections/test-support/projection-fixture';
import { loadConfig } from '../config';
import { electionMigrations } from './election.migrations';
import { ElectionRepository } from './election.repository';
import { readMasterDataFolder, validateMasterData, type MasterData } from './master-data';

const TPS_KOTAPINANG = '1222011001001';
const ADMIN = { id: 'u-admin', username: 'admin' };

const form = (p2Party: number, p2c1: number): CHasilForm => ({ votes: { '2': { party: p2Party, candidates: { '1': p2c1 } } }, valid: p2Party + p2c1, invalid: 0 });

/** The shipped folder with Kotapinang and Kampung Rakyat joined in one DPRD Labusel dapil of 12 seats (another dapil map). */
function secondMap(): MasterData {
  const files = readMasterDataFolder(loadConfig({}).electionDataDir);
  files['dapils.csv'] = files['dapils.csv']!
    .replace(/DPRD_KAB,DPRD-LABUSEL-01,[^\n]*\n/, 'DPRD_KAB,DPRD-LABUSEL-A,"Labuhanbatu Selatan A",12,122201 122202,false\n')
    .replace(/DPRD_KAB,DPRD-LABUSEL-02,[^\n]*\n/, '');
  files['candidates.csv'] = files['candidates.csv']!
    .split('\n').filter((l) => !l.startsWith('DPRD_KAB,DPRD-LABUSEL-02,')).join('\n')
    .replaceAll('DPRD_KAB,DPRD-LABUSEL-01,', 'DPRD_KAB,DPRD-LABUSEL-A,');
  const result = validateMasterData(files);
  if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 5)));
  return result.data;
}

function defineSuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>) {
  let f: ProjectionFixture;
  let close: () => Promise<void>;
  let repo: ElectionRepository;
  let dapils: DapilTalliesService;

  beforeAll(async () => {
    const opened = await open();
    close = opened.close;
    f = await projectionFixture(opened.db);
    repo = new ElectionRepository(f.db);
    dapils = new DapilTalliesService(f.election, new DapilTalliesRepository(new TallyReader(f.db, undefined)));
  });
  afterAll(async () => {
    await f?.store.close();
    await close?.();
  });

  async function projectAll(): Promise<void> {
    const p = new Projector(f.db, f.store, { batchSize: 3 });
    await p.start();
    await p.waitFor(f.last);
    await p.stop();
  }

  it('an import in the simulation is a new version on a fresh run; the old run keeps its version and dapils, through a rebuild too', async () => {
    const first = await repo.deployment();
    expect(first).toMatchObject({ phase: 'simulation', masterDataVersion: 1, activeElectionId: 'labusel-2024-sim1' });
    await f.append([submitted('labusel-2024-sim1', TPS_KOTAPINANG, 'DPRD_KAB', form(5, 40))]);
    await projectAll();

    const outcome = await repo.importVersion(secondMap(), { actor: ADMIN, ip: '10.0.0.9', source: 'admin upload' });
    expect(outcome).toMatchObject({ imported: true, version: 2, deployment: { phase: 'simulation', masterDataVersion: 2, activeElectionId: 'labusel-2024-sim2' } });
    if (!outcome.imported) return;
    await f.election.deploymentChanged(outcome.deployment);
    // New submissions are checked against version 2: Kotapinang's DPRD_KAB sheet is dapil A now.
    expect(f.election.sheet(TPS_KOTAPINANG, 'DPRD_KAB').dapil).toBe('DPRD-LABUSEL-A');
    expect((await f.election.view()).masterDataVersion).toBe(2);

    await f.append([submitted('labusel-2024-sim2', TPS_KOTAPINANG, 'DPRD_KAB', form(3, 11))]);
    await projectAll();
    // The old run is no longer shown (the API serves the current run), but its rows stay by its own dapils.
    const tallied = async () => ({
      rows: (await f.db.query<{ election_id: string; dapil_code: string; votes: unknown }>(
        `SELECT election_id, dapil_code, votes FROM dapil_tallies WHERE ballot = 'DPRD_KAB' ORDER BY election_id, dapil_code`,
      )).rows.map((r) => [r.election_id, r.dapil_code, (typeof r.votes === 'string' ? JSON.parse(r.votes) : r.votes) as Record<string, number>]),
      fresh: (await dapils.getDapilTally('labusel-2024-sim2', 'DPRD-LABUSEL-A', 'DPRD_KAB')).totals.parties['2'],
    });
    const expected = {
      rows: [['labusel-2024-sim1', 'DPRD-LABUSEL-01', { '2': 45, '2.p': 5, '2.c1': 40 }], ['labusel-2024-sim2', 'DPRD-LABUSEL-A', { '2': 14, '2.p': 3, '2.c1': 11 }]],
      fresh: { party: 3, candidates: { '1': 11 }, total: 14 },
    };
    expect(await tallied()).toEqual(expected);
    expect((await checkTallies(f.db, f.store)).ok).toBe(true);
    await rebuildProjections(f.db, f.store);
    expect(await tallied()).toEqual(expected);

    const { rows } = await f.db.query<{ election_id: string; version: number }>('SELECT election_id, version FROM election_master_data ORDER BY election_id');
    expect(rows.map((r) => [r.election_id, Number(r.version)])).toEqual([['labusel-2024-sim1', 1], ['labusel-2024-sim2', 2]]);
    const audit = await f.db.query<{ actor_username: string; target: string; ip: string; detail: { previousVersion: number; activeElectionId: string; counts: { dapils: number } } }>(
      `SELECT actor_username, target, ip, detail FROM audit_log WHERE action = 'master_data_imported'`,
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor_username: 'admin', target: 'v2', ip: '10.0.0.9', detail: { previousVersion: 1, activeElectionId: 'labusel-2024-sim2', counts: { dapils: 6 } } });
    // Version 1 stays whole.
    expect((await repo.version(1))?.config.dapils.map((d) => d.code)).toContain('DPRD-LABUSEL-02');
  });

  it('in the real phase: allowed before the first result, refused with the count once results exist, and nothing changes', async () => {
    const real = await repo.switchToReal();
    expect(real).toMatchObject({ phase: 'real', activeElectionId: 'labusel-2024', masterDataVersion: 2 });
    const before = await repo.importVersion(secondMap(), { actor: ADMIN, source: 'admin upload' });
    expect(before).toMatchObject({ imported: true, version: 3, deployment: { phase: 'real', activeElectionId: 'labusel-2024', masterDataVersion: 3 } });

    await f.append([submitted('labusel-2024', TPS_KOTAPINANG, 'DPRD_KAB', form(8, 2))]);
    await projectAll();
    expect(await repo.importVersion(secondMap(), { actor: ADMIN, source: 'admin upload' })).toEqual({ imported: false, reason: 'real_results', results: 1 });
    expect(await repo.deployment()).toMatchObject({ masterDataVersion: 3, activeElectionId: 'labusel-2024' });
    expect(Number((await f.db.query<{ n: string }>('SELECT count(*) AS n FROM master_data_versions')).rows[0].n)).toBe(3);
    expect(Number((await f.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'master_data_imported'`)).rows[0].n)).toBe(2);
    const { rows } = await f.db.query<{ version: number }>(`SELECT version FROM election_master_data WHERE election_id = 'labusel-2024'`);
    expect(Number(rows[0].version)).toBe(3);
    expect((await dapils.getDapilTally('labusel-2024', 'DPRD-LABUSEL-A', 'DPRD_KAB')).totals.parties['2'].total).toBe(10);
  });
}

describe('master-data versions on PGlite', () => defineSuite(async () => {
  const db = await openTestPglite();
  return { db, close: () => db.close() };
}));

describeIfPostgres('master-data versions on PostgreSQL', () => defineSuite(async () => {
  const t = await createPostgresTestDatabase();
  return { db: t.db, close: () => t.drop() };
}));

postgresSuiteGuard();

describe('an existing deployment migrates: what is loaded becomes version 1', () => {
  it('copies the loaded config, regions and TPS into version 1', async () => {
    const db = await openTestPglite();
    try {
      // The schema before versions, loaded the old way.
      await migrate(db, allMigrations.filter((m) => m.version !== 220));
      const data = readMasterDataFolder(loadConfig({}).electionDataDir);
      const { data: md } = validateMasterData(data) as { data: MasterData };
      await db.query(`INSERT INTO regions (code, level, name, parent_code) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
        [md.regions.map((r) => r.code), md.regions.map((r) => r.level), md.regions.map((r) => r.name), md.regions.map((r) => r.parentCode)]);
      await db.query(`INSERT INTO tps (code, desa_code, kecamatan_code, kabupaten_code, number, name) VALUES ($1, $2, $3, $4, $5, $6)`,
        ['1222011001001', '1222011001', '122201', '1222', 1, 'TPS 001']);
      await db.query('INSERT INTO election_config (id, config) VALUES ($1, $2)', [md.config.id, JSON.stringify(md.config)]);
      await db.query(`INSERT INTO deployment (election_id, phase, simulation_run, active_election_id) VALUES ('labusel-2024', 'simulation', 4, 'labusel-2024-sim4')`);

      expect(await migrate(db, allMigrations)).toEqual([220]);
      const repo = new ElectionRepository(db);
      expect(await repo.deployment()).toMatchObject({ masterDataVersion: 1, activeElectionId: 'labusel-2024-sim4' });
      const v1 = await repo.version(1);
      expect(v1?.config).toEqual(md.config);
      expect(v1?.regions).toHaveLength(61);
      expect(v1?.tps).toEqual([{ code: '1222011001001', desaCode: '1222011001', kecamatanCode: '122201', kabupatenCode: '1222', number: 1, name: 'TPS 001' }]);
    } finally {
      await db.close();
    }
  });

  it('a fresh database loads its first folder as version 1', async () => {
    const db = await openTestPglite({ migrations: electionMigrations });
    try {
      const repo = new ElectionRepository(db);
      const { data } = validateMasterData(readMasterDataFolder(loadConfig({}).electionDataDir)) as { data: MasterData };
      expect(await repo.importOnce(data)).toBe(true);
      expect(await repo.deployment()).toMatchObject({ masterDataVersion: 1 });
      expect((await repo.version(1))?.tps).toHaveLength(1025);
    } finally {
      await db.close();
    }
  });
});
