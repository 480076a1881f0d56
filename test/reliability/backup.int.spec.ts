import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { desaOf, kecamatanOf, SuaraClient, type TallyView } from '@suara/contracts';
import { createPostgresTestDatabase, describeIfPostgres, postgresTestUrl, type PostgresTestDatabase } from '../../services/src/db/test-support/test-database';
import { desaList, formFor, KABUPATEN, postgresSuiteGuard, runCli, waitUntil } from '../support/reliability';
import { startServer, type RunningServer } from '../support/server';
import { statusOf } from '../support/http';

/**
 * Disaster recovery: the whole event log is exported with the CLI (NDJSON), imported into an EMPTY
 * deployment (a fresh database), and a server on that database shows the same tallies and the
 * same audit trails (history with hashes) as the original.
 */
describeIfPostgres('disaster recovery: export, import into an empty deployment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'suara-backup-'));
  const backup = join(dir, 'events.ndjson');
  const servers: RunningServer[] = [];
  const databases: PostgresTestDatabase[] = [];
  let source: RunningServer;
  let sourceDb: PostgresTestDatabase;
  let admin: SuaraClient;
  let submitted: string[] = [];
  let kecamatan: string[] = [];

  const env = (db: PostgresTestDatabase) => ({ DATABASE_URL: db.url, SUARA_SUBMIT_RATE_PER_MIN: '100000' });
  async function freshDatabase() {
    const db = await createPostgresTestDatabase();
    databases.push(db);
    return db;
  }
  async function serve(db: PostgresTestDatabase) {
    const s = await startServer({ env: env(db) });
    servers.push(s);
    return s;
  }
  async function adminOf(s: RunningServer) {
    const c = new SuaraClient(s.url);
    await c.login(s.adminUser, s.adminPassword);
    return c;
  }
  const withoutPosition = ({ position: _p, updatedAt: _u, ...rest }: TallyView) => ({
    ...rest,
    children: rest.children.map((c) => ({ ...c, updatedAt: undefined })),
  });

  /** The real election's tallies show every submission, verification and correction. */
  const everythingProjected = (client: SuaraClient) =>
    waitUntil('the tallies to show every result', async () => {
      const t = await client.tally(KABUPATEN, 'PPWP');
      return t.progress.tpsReported === submitted.length && t.progress.tpsVerified === 6 && t.totals.valid === expectedValid ? true : undefined;
    }, 120_000);
  let expectedValid = 0;

  beforeAll(async () => {
    sourceDb = await freshDatabase();
    source = await serve(sourceDb);
    admin = await adminOf(source);
    const all = await desaList(admin);
    const kec = [...new Set(all.map((d) => kecamatanOf(d.code)))].slice(0, 2);
    const desa = kec.flatMap((k) => all.filter((d) => d.code.startsWith(k)).slice(0, 2));
    kecamatan = kec;
    await admin.createUser({ username: 'op-dr', password: 'password-op-dr', role: 'operator', scope: desa.map((d) => d.code) });
    await admin.createUser({ username: 'ver-dr', password: 'password-ver-dr', role: 'verifier' });
    const operator = new SuaraClient(source.url);
    await operator.login('op-dr', 'password-op-dr');
    const verifier = new SuaraClient(source.url);
    await verifier.login('ver-dr', 'password-ver-dr');

    // A simulation run first, then the real election: both are in the log.
    for (const d of desa) await operator.submit({ tpsCode: d.tps[0], ballot: 'PPWP', clientRequestId: `sim-${d.tps[0]}`, form: formFor(d.tps[1]) });
    await admin.switchToReal();
    submitted = desa.flatMap((d) => d.tps.slice(0, 5));
    for (const tpsCode of submitted) await operator.submit({ tpsCode, ballot: 'PPWP', clientRequestId: `dr-${tpsCode}`, form: formFor(tpsCode) });
    for (const tpsCode of submitted.slice(0, 6)) await verifier.verify(tpsCode, 'PPWP', 1);
    const corrected = submitted[7];
    const form = formFor(corrected);
    expectedValid = submitted.reduce((sum, code) => sum + formFor(code).valid, 0) + 1;
    await verifier.correct(corrected, 'PPWP', {
      expectedVersion: 1,
      form: { ...form, votes: { ...form.votes, '01': form.votes['01'] + 1 }, valid: form.valid + 1, voters: { dpt: 280, voted: form.valid + 1 + form.invalid } },
      reason: 'angka paslon 01 salah salin',
      operatorConfirmation: 'dikonfirmasi operator via telepon',
    });
    await everythingProjected(admin);
  });

  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const db of databases) await db.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports the event log as NDJSON, one event a line, and imports it into a fresh database with identical tallies and audit trails', async () => {
    const exported = await runCli(['export', backup], { DATABASE_URL: sourceDb.url });
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    const lines = readFileSync(backup, 'utf8').trim().split('\n');
    expect(exported.stdout).toContain(`exported ${lines.length} events`);
    const { rows } = await sourceDb.db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages');
    expect(lines.length).toBe(Number(rows[0].n));
    expect(lines.length).toBeGreaterThan(submitted.length);
    for (const line of lines) {
      const e = JSON.parse(line) as { streamId: string; streamPosition: number; type: string; data: object; metadata: { hash: string } };
      expect(typeof e.streamId).toBe('string');
      expect(e.streamPosition).toBeGreaterThanOrEqual(1);
      expect(e.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
    }

    const targetDb = await freshDatabase();
    const imported = await runCli(['import', backup], { DATABASE_URL: targetDb.url });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`imported ${lines.length} events`);
    expect((await runCli(['verify-chain'], { DATABASE_URL: targetDb.url })).code).toBe(0);
    expect((await runCli(['check'], { DATABASE_URL: targetDb.url })).code).toBe(0);

    const target = await serve(targetDb);
    const targetAdmin = await adminOf(target);
    // The phase is a row, not an event: the import reads it back from the events. Real results
    // were restored, so the deployment is real again, and nothing reopens the simulation.
    expect(imported.stdout).toContain('phase: real');
    const election = await targetAdmin.election();
    expect(election).toMatchObject({ mode: 'real', activeElectionId: election.id });
    expect(await statusOf(targetAdmin.resetSimulation())).toBe(409);
    expect(await statusOf(targetAdmin.switchToReal())).toBe(409);
    await everythingProjected(targetAdmin);

    for (const region of [KABUPATEN, ...kecamatan]) {
      const [a, b] = [await admin.tally(region, 'PPWP'), await targetAdmin.tally(region, 'PPWP')];
      expect(withoutPosition(b)).toEqual(withoutPosition(a));
    }
    const kab = await targetAdmin.tally(KABUPATEN, 'PPWP');
    expect(kab.progress.tpsReported).toBe(submitted.length);
    expect(kab.progress.tpsVerified).toBe(6);

    for (const tpsCode of submitted) {
      const [ha, hb] = [await admin.history(tpsCode, 'PPWP'), await targetAdmin.history(tpsCode, 'PPWP')];
      expect(hb).toEqual(ha);
      expect(hb.every((h) => typeof (h as { hash?: unknown }).hash === 'string')).toBe(true);
      expect(await targetAdmin.result(tpsCode, 'PPWP')).toEqual(await admin.result(tpsCode, 'PPWP'));
    }
    expect((await targetAdmin.history(submitted[7], 'PPWP')).map((h) => h.type)).toEqual((await admin.history(submitted[7], 'PPWP')).map((h) => h.type));

    // The export of the restored deployment is the same file, line for line.
    const again = join(dir, 'again.ndjson');
    expect((await runCli(['export', again], { DATABASE_URL: targetDb.url })).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(backup, 'utf8'));
  });

  it('refuses to import into a deployment that already has events', async () => {
    const db = databases[databases.length - 1];
    const again = await runCli(['import', backup], { DATABASE_URL: db.url });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/empty event store/);
  });

  it('refuses a backup file that was altered, naming the line', async () => {
    const lines = readFileSync(backup, 'utf8').trim().split('\n');
    const at = lines.length - 1;
    const e = JSON.parse(lines[at]) as { data: Record<string, unknown> };
    e.data.tampered = true;
    lines[at] = JSON.stringify(e);
    const altered = join(dir, 'altered.ndjson');
    writeFileSync(altered, lines.join('\n') + '\n');
    const db = await freshDatabase();
    const result = await runCli(['import', altered], { DATABASE_URL: db.url });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(new RegExp(`line ${at + 1} .*altered`));
  });

  it('exports and verifies every committed event even while another transaction is open on the server', async () => {
    // A transaction left open anywhere on the server (here in another database) holds back what a
    // subscription may read; a backup and the chain check must still see every committed event.
    const other = new Client({ connectionString: postgresTestUrl() });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      const operator = new SuaraClient(source.url);
      await operator.login('op-dr', 'password-op-dr');
      const late = desaOf(submitted[submitted.length - 1]) + '009';
      expect((await operator.submit({ tpsCode: late, ballot: 'PPWP', clientRequestId: `dr-late-${late}`, form: formFor(late) })).status).toBe(201);

      const file = join(dir, 'while-open.ndjson');
      const exported = await runCli(['export', file], { DATABASE_URL: sourceDb.url });
      expect(exported.code, exported.stderr).toBe(0);
      const { rows } = await sourceDb.db.query<{ n: string }>('SELECT count(*)::text AS n FROM messages');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines.length).toBe(Number(rows[0].n));
      expect(lines.some((l) => l.includes(`"tpsCode":"${late}"`))).toBe(true);

      const chain = await runCli(['verify-chain'], { DATABASE_URL: sourceDb.url });
      expect(chain.code, chain.stdout).toBe(0);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  });
});

postgresSuiteGuard();
