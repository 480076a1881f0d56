import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../db/sql';
import { openTestPglite } from '../db/test-support/test-database';
import { projectionStatus } from './projection-health';
import { ensureCheckpoint, TALLIES_PROJECTION } from './projection-store';
import { flatForm, submitted } from './test-support/result-events';
import { projectionFixture, type ProjectionFixture } from './test-support/projection-fixture';

/** How far the read models trail the log, for /health and the lag gauges of /metrics. */
describe('projectionStatus', () => {
  let db: SqlDatabase;
  let f: ProjectionFixture;
  beforeAll(async () => {
    db = await openTestPglite();
    f = await projectionFixture(db);
  });
  afterAll(async () => db?.close());

  it('counts the events not yet projected and the age of the oldest; both 0 once the checkpoint is at the head', async () => {
    const [a, b] = f.election.allTps().slice(0, 2).map((t) => t.code);
    // The builders date every event 2024-02-14T10:00:00Z.
    await f.append([submitted('e1', a!, 'PPWP', flatForm({ '01': 1 })), submitted('e1', b!, 'PPWP', flatForm({ '01': 2 }))]);
    const head = await f.visible();
    const behind = await projectionStatus(db, f.store);
    expect(behind).toMatchObject({ position: '0', head, lag: 2, lagCapped: false });
    const age = (Date.now() - Date.parse('2024-02-14T10:00:00Z')) / 1000;
    expect(behind.lagSeconds).toBeGreaterThan(age - 60);
    expect(behind.lagSeconds).toBeLessThanOrEqual(age + 1);

    await ensureCheckpoint(db, TALLIES_PROJECTION);
    await db.query('UPDATE projection_checkpoints SET position = $2 WHERE name = $1', [TALLIES_PROJECTION, head]);
    expect(await projectionStatus(db, f.store)).toMatchObject({ position: head, lag: 0, lagSeconds: 0 });
  });
});
