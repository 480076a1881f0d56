import { Inject, Injectable } from '@nestjs/common';
import type { ElectionConfig, ElectionPhase, Region } from '@suara/contracts';
import { SQL_DATABASE } from '../db/tokens';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import type { MasterData, TpsRecord } from './master-data';

export interface Deployment {
  electionId: string;
  phase: ElectionPhase;
  simulationRun: number;
  /** The election id events are written and tallied under now. */
  activeElectionId: string;
}

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
      await tx.query('SELECT pg_advisory_xact_lock(7251002)');
      const { rows } = await tx.query('SELECT id FROM election_config');
      if (rows.length > 0) return false;
      await insertRegions(tx, data.regions);
      await insertTps(tx, data.tps);
      await tx.query('INSERT INTO election_config (id, config) VALUES ($1, $2)', [data.config.id, JSON.stringify(data.config)]);
      await tx.query(
        `INSERT INTO deployment (election_id, phase, simulation_run, active_election_id) VALUES ($1, 'simulation', 1, $2)`,
        [data.config.id, simulationElectionId(data.config.id, 1)],
      );
      return true;
    });
  }

  async regions(): Promise<Region[]> {
    const { rows } = await this.db.query<{ code: string; level: Region['level']; name: string; parent_code: string | null }>(
      'SELECT code, level, name, parent_code FROM regions ORDER BY code',
    );
    return rows.map((r) => ({ code: r.code, level: r.level, name: r.name, parentCode: r.parent_code }));
  }

  async tps(): Promise<TpsRecord[]> {
    const { rows } = await this.db.query<{ code: string; desa_code: string; kecamatan_code: string; kabupaten_code: string; number: number; name: string }>(
      'SELECT code, desa_code, kecamatan_code, kabupaten_code, number, name FROM tps ORDER BY code',
    );
    return rows.map((t) => ({ code: t.code, desaCode: t.desa_code, kecamatanCode: t.kecamatan_code, kabupatenCode: t.kabupaten_code, number: t.number, name: t.name }));
  }

  async deployment(): Promise<Deployment> {
    const { rows } = await this.db.query<{ election_id: string; phase: ElectionPhase; simulation_run: number; active_election_id: string }>(
      'SELECT election_id, phase, simulation_run, active_election_id FROM deployment',
    );
    const d = rows[0];
    if (!d) throw new Error('deployment row missing: master data not imported');
    return { electionId: d.election_id, phase: d.phase, simulationRun: d.simulation_run, activeElectionId: d.active_election_id };
  }

  /** Starts a fresh simulation run: new events go to a new election id, so old runs never mix in. */
  async nextSimulationRun(): Promise<Deployment | undefined> {
    const { rows } = await this.db.query<{ election_id: string }>(
      `UPDATE deployment SET simulation_run = simulation_run + 1,
         active_election_id = election_id || '-sim' || (simulation_run + 1), changed_at = now()
       WHERE phase = 'simulation' RETURNING election_id`,
    );
    return rows.length ? this.deployment() : undefined;
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
    }
    return this.deployment();
  }

  /** Ends the simulation for good; refused (undefined) when already real. */
  async switchToReal(): Promise<Deployment | undefined> {
    const { rows } = await this.db.query(
      `UPDATE deployment SET phase = 'real', active_election_id = election_id, changed_at = now()
       WHERE phase = 'simulation' RETURNING election_id`,
    );
    return rows.length ? this.deployment() : undefined;
  }
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
