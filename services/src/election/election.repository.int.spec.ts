import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../db/sql';
import { openTestPglite } from '../db/test-support/test-database';
import { loadConfig } from '../config';
import { electionMigrations } from './election.migrations';
import { ElectionRepository } from './election.repository';
import { loadMasterData, type MasterData } from './master-data';

describe('the phase after a restore (ElectionRepository.restorePhase, PGlite)', () => {
  let db: SqlDatabase;
  let repo: ElectionRepository;
  let data: MasterData;
  let id: string;

  beforeAll(async () => {
    db = await openTestPglite({ migrations: electionMigrations });
    repo = new ElectionRepository(db);
    data = loadMasterData(loadConfig({}).electionDataDir);
    id = data.config.id;
  });
  afterAll(async () => db?.close());

  it('without events: simulation, first run', async () => {
    expect(await repo.restorePhase(data, new Set())).toMatchObject({ phase: 'simulation', activeElectionId: `${id}-sim1`, simulationRun: 1 });
  });

  it('with simulation runs only: simulation, on the latest run restored (a new result never joins an older run)', async () => {
    expect(await repo.restorePhase(data, new Set([`${id}-sim1`, `${id}-sim3`, 'another-election-sim9']))).toMatchObject({
      phase: 'simulation', activeElectionId: `${id}-sim3`, simulationRun: 3,
    });
    expect(await repo.nextSimulationRun()).toMatchObject({ activeElectionId: `${id}-sim4` });
  });

  it('with any event of the real election: real, for good', async () => {
    expect(await repo.restorePhase(data, new Set([`${id}-sim2`, id]))).toMatchObject({ phase: 'real', activeElectionId: id });
    expect(await repo.restorePhase(data, new Set([`${id}-sim5`]))).toMatchObject({ phase: 'real', activeElectionId: id });
    expect(await repo.nextSimulationRun()).toBeUndefined();
  });
});
