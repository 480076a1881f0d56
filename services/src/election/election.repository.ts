import { Inject, Injectable } from '@nestjs/common';
import type { ElectionConfig, ElectionPhase, Region } from '@suara/contracts';
import { SQL_DATABASE } from '../db/tokens';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import { recordAudit, type AuditActor } from '../identity/audit-log';
import type { MasterData, TpsRecord } from './master-data';

export interface Deployment {
  electionId: string;
  phase: ElectionPhase;
  simulationRun: number;
  /** The election id events are written and tallied under now. */
  activeElectionId: string;
  /** The master-data version new submissions are checked against. */
  masterDataVersion: number;
}

/** Who loads a master-data version, from where (audit log and `master_data_versions`). */
export interface ImportOrigin {
  actor: AuditActor | null;
  ip?: string | null;
  /** e.g. the folder of `suara election import`, or `admin upload`. */
  source: string;
}

export type ImportOutcome =
  | { imported: true; version: number; deployment: Deployment }
  | { imported: false; reason: 'real_results'; results: number };

/** Serialises master-data loads and phase changes across processes. */
const MASTER_DATA_LOCK = 7251002;

export const simulationElectionId = (electionId: string, run: number) => `${electionId}-sim${run}`;

/** All I/O of the election context: master data and the deployment's phase. */
@Injectable()
export class ElectionRepository {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  async loadedConfig(): Promise<ElectionConfig | undefined> {
    const { rows } = await this.db.query<{ config: ElectionConfig }>('SELECT config FROM election_config LIMIT 1');
    return rows[0]?.config;
  }

  /** Imports master data in one transaction; a no-op when this election is already loaded. */
  async importOnce(data: MasterData): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MASTER_DATA_LOCK]);
      const { rows } = await tx.query('SELECT id FROM election_config');
      if (rows.length > 0) return false;
      await insertVersion(tx, 1, data, 'first load', null);
      await replaceCurrent(tx, data);
      await tx.query(
        `INSERT INTO deployment (election_id, phase, simulation_run, active_election_id, master_data_version) VALUES ($1, 'simulation', 1, $2, 1)`,
        [data.config.id, simulationElectionId(data.config.id, 1)],
      );
      await mapActiveElection(tx);
      return true;
    });
  }

  /**
   * Loads master data as a new version, in one transaction with its audit line. In the simulation
   * it starts a fresh run (`…-simN`), so the tallies of the new run are built from the new version
   * only and earlier runs keep theirs; in the real phase it is refused once the real election has
   * results (they were checked against the loaded version, and the real count never mixes two), and
   * allowed before the first. The current tables (regions, tps, election_config) are replaced; every
   * version stays whole in `master_data_versions`.
   *
   * "Has results" reads the read side (`result_current`): a result submitted in the same instant,
   * not yet projected, is not seen; its event still names the version it was checked against.
   */
  async importVersion(data: MasterData, origin: ImportOrigin): Promise<ImportOutcome> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MASTER_DATA_LOCK]);
      const before = await readDeployment(tx);
      if (before.phase === 'real') {
        const { rows } = await tx.query<{ n: number | string }>('SELECT count(*) AS n FROM result_current WHERE election_id = $1', [before.activeElectionId]);
        const results = Number(rows[0]?.n ?? 0);
        if (results > 0) return { imported: false, reason: 'real_results', results };
      }
      const { rows } = await tx.query<{ v: number }>('SELECT coalesce(max(version), 0) + 1 AS v FROM master_data_versions');
      const version = Number(rows[0].v);
      await insertVersion(tx, version, data, origin.source, origin.actor?.username ?? null);
      await replaceCurrent(tx, data);
      await tx.query(
        `UPDATE deployment SET master_data_version = $1, changed_at = now(),
           simulation_run = CASE WHEN phase = 'simulation' THEN simulation_run + 1 ELSE simulation_run END,
           active_election_id = CASE WHEN phase = 'simulation' THEN election_id || '-sim' || (simulation_run + 1) ELSE active_election_id END`,
        [version],
      );
      // Real phase without results: the real election id now stands for the new version.
      await tx.query(
        `INSERT INTO election_master_data (election_id, version) SELECT active_election_id, master_data_version FROM deployment
         ON CONFLICT (election_id) DO UPDATE SET version = excluded.version`,
      );
      const deployment = await readDeployment(tx);
      await recordAudit(tx, {
        actor: origin.actor,
        action: 'master_data_imported',
        target: `v${version}`,
        ip: origin.ip ?? null,
        detail: { version, previousVersion: before.masterDataVersion, phase: deployment.phase, activeElectionId: deployment.activeElectionId, source: origin.source, counts: countsOf(data) },
      });
      return { imported: true, version, deployment };
    });
  }

  /** A master-data version as it was loaded. */
  async version(version: number): Promise<MasterData | undefined> {
    const { rows } = await this.db.query<{ config: ElectionConfig | string; regions: Region[] | string; tps: TpsRecord[] | string }>(
      'SELECT config, regions, tps FROM master_data_versions WHERE version = $1',
      [version],
    );
    const r = rows[0];
    if (!r) return undefined;
    const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
    return { config: json(r.config), regions: json(r.regions), tps: json(r.tps) };
  }

  deployment(): Promise<Deployment> {
    return readDeployment(this.db);
  }

  /** Starts a fresh simulation run: new events go to a new election id, so old runs never mix in. */
  async nextSimulationRun(): Promise<Deployment | undefined> {
    const changed = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ election_id: string }>(
        `UPDATE deployment SET simulation_run = simulation_run + 1,
           active_election_id = election_id || '-sim' || (simulation_run + 1), changed_at = now()
         WHERE phase = 'simulation' RETURNING election_id`,
      );
      if (rows.length) await mapActiveElection(tx);
      return rows.length > 0;
    });
    return changed ? this.deployment() : undefined;
  }

  /**
   * After a restore (`suara import`): the phase is a row, not an event, so it is read back from the
   * events restored. A log that holds any event of the real election comes back in the real phase
   * (a restore must never reopen the simulation, nor let a reset hide real results); otherwise in
   * simulation, on the latest simulation run found, so a new result never joins an older run.
   */
  async restorePhase(data: MasterData, electionIds: ReadonlySet<string>): Promise<Deployment> {
    await this.importOnce(data);
    const id = data.config.id;
    if (electionIds.has(id)) {
      await this.switchToReal();
      return this.deployment();
    }
    const runs = [...electionIds].map((e) => /^(.*)-sim(\d+)$/.exec(e)).filter((m) => m?.[1] === id).map((m) => Number(m![2]));
    if (runs.length > 0) {
      const run = Math.max(...runs);
      await this.db.query(
        `UPDATE deployment SET simulation_run = $1, active_election_id = $2, changed_at = now() WHERE phase = 'simulation' AND simulation_run < $1`,
        [run, simulationElectionId(id, run)],
      );
      await mapActiveElection(this.db);
    }
    return this.deployment();
  }

  /** Ends the simulation for good; refused (undefined) when already real. */
  async switchToReal(): Promise<Deployment | undefined> {
    const changed = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MASTER_DATA_LOCK]);
      const { rows } = await tx.query(
        `UPDATE deployment SET phase = 'real', active_election_id = election_id, changed_at = now()
         WHERE phase = 'simulation' RETURNING election_id`,
      );
      if (rows.length) await mapActiveElection(tx);
      return rows.length > 0;
    });
    return changed ? this.deployment() : undefined;
  }
}

async function readDeployment(ex: SqlExecutor): Promise<Deployment> {
  const { rows } = await ex.query<{ election_id: string; phase: ElectionPhase; simulation_run: number; active_election_id: string; master_data_version: number }>(
    'SELECT election_id, phase, simulation_run, active_election_id, master_data_version FROM deployment',
  );
  const d = rows[0];
  if (!d) throw new Error('deployment row missing: master data not imported');
  return {
    electionId: d.election_id, phase: d.phase, simulationRun: d.simulation_run, activeElectionId: d.active_election_id, masterDataVersion: Number(d.master_data_version),
  };
}

/** Records which version the active election id's results are checked against (kept if already set). */
async function mapActiveElection(ex: SqlExecutor): Promise<void> {
  await ex.query(
    `INSERT INTO election_master_data (election_id, version) SELECT active_election_id, master_data_version FROM deployment
     ON CONFLICT (election_id) DO NOTHING`,
  );
}

async function insertVersion(tx: SqlExecutor, version: number, data: MasterData, source: string, loadedBy: string | null) {
  await tx.query(
    'INSERT INTO master_data_versions (version, election_id, config, regions, tps, loaded_by, source) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [version, data.config.id, JSON.stringify(data.config), JSON.stringify(data.regions), JSON.stringify(data.tps), loadedBy, source],
  );
}

/** The current tables become `data`: TPS first (they reference regions), then regions, then the config. */
async function replaceCurrent(tx: SqlExecutor, data: MasterData) {
  await tx.query('DELETE FROM tps');
  await tx.query('DELETE FROM regions');
  await tx.query('DELETE FROM election_config');
  await insertRegions(tx, data.regions);
  await insertTps(tx, data.tps);
  await tx.query('INSERT INTO election_config (id, config) VALUES ($1, $2)', [data.config.id, JSON.stringify(data.config)]);
}

export function countsOf(data: MasterData) {
  const candidates = data.config.dapils.reduce((n, d) => n + Object.values(d.candidates).reduce((m, list) => m + list.length, 0), 0) + data.config.dpd.candidates.length;
  return {
    regions: data.regions.length, tps: data.tps.length, parties: data.config.parties.length, paslon: data.config.paslon.length,
    dapils: data.config.dapils.length, candidates,
  };
}

async function insertRegions(tx: SqlExecutor, regions: Region[]) {
  // Parents first, so the foreign key holds row by row.
  const ordered = [...regions].sort((a, b) => a.code.length - b.code.length);
  await tx.query(
    `INSERT INTO regions (code, level, name, parent_code)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [ordered.map((r) => r.code), ordered.map((r) => r.level), ordered.map((r) => r.name), ordered.map((r) => r.parentCode)],
  );
}

async function insertTps(tx: SqlExecutor, tps: TpsRecord[]) {
  await tx.query(
    `INSERT INTO tps (code, desa_code, kecamatan_code, kabupaten_code, number, name)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[])`,
    [tps.map((t) => t.code), tps.map((t) => t.desaCode), tps.map((t) => t.kecamatanCode), tps.map((t) => t.kabupatenCode), tps.map((t) => t.number), tps.map((t) => t.name)],
  );
}
