import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultStreamId, type Ballot, type ResultStatus } from '@suara/contracts';
import { allMigrations } from '../app.migrations';
import type { SqlDatabase } from '../db/sql';
import { runTogether } from '../db/statements';
import { createPostgresTestDatabase, openTestPglite, postgresTestUrl } from '../db/test-support/test-database';
import type { RecordedEvent } from '../eventstore/event-store.port';
import { photosProjection } from './photo.projection';

/**
 * The photo read models' SQL on a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is
 * set): batches go through `project` and their writes run together, in one transaction, as the
 * projector runtime runs them; `check` recounts from the result streams' states.
 */
const E = 'sim-uji';
const DESA = '1222011001';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
let position = 0;

function photoEvent(tpsCode: string, ballot: Ballot, sha: string, streamPosition: number): RecordedEvent {
  return {
    streamId: resultStreamId(E, tpsCode, ballot), streamPosition, checkpoint: String(++position), type: 'PhotoAttached',
    data: { electionId: E, tpsCode, ballot, sha256: sha.repeat(64), contentType: 'image/jpeg', bytes: 1234, width: 900, height: 1200, page: 1 },
    metadata: { userId: 'u-op', username: 'operator-uji', role: 'operator', at: '2024-02-14T10:00:00.000Z', requestId: 'r', electionId: E },
  };
}
function submittedEvent(tpsCode: string, ballot: Ballot, streamPosition: number): RecordedEvent {
  return {
    streamId: resultStreamId(E, tpsCode, ballot), streamPosition, checkpoint: String(++position), type: 'ResultSubmitted', data: { electionId: E, tpsCode, ballot },
    metadata: { userId: 'u-op', role: 'operator', at: '2024-02-14T10:01:00.000Z', requestId: 'r', electionId: E },
  };
}
const after = (tpsCode: string, ballot: Ballot, status: ResultStatus) => ({ after: { electionId: E, tpsCode, ballot, status } });

const backends: Array<[string, () => Promise<SqlDatabase & { drop?: () => Promise<void> }>]> = [['PGlite', () => openTestPglite({ migrations: allMigrations })]];
if (postgresTestUrl()) {
  backends.push(['PostgreSQL', async () => {
    const pg = await createPostgresTestDatabase({ migrations: allMigrations });
    return Object.assign(pg.db, { drop: () => pg.drop() });
  }]);
}

describe.each(backends)('photo read models on %s', (_name, open) => {
  let db: SqlDatabase & { drop?: () => Promise<void> };
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    if (db?.drop) await db.drop();
    else await db?.close();
  });

  async function apply(events: RecordedEvent[], results: ReturnType<typeof after>[]) {
    return db.transaction(async (tx) => {
      const output = await photosProjection.project({ events, results }, tx);
      await runTogether(tx, output.writes);
      return output;
    });
  }
  const progress = async (code: string) =>
    (await db.query<{ n: number }>('SELECT tps_with_photo AS n FROM region_photo_progress WHERE election_id = $1 AND region_code = $2', [E, code])).rows[0]?.n ?? 0;

  it('keeps result_photos, the TPS photo status and the regions\' count through photo-first, numbers, and a second ballot', async () => {
    // TPS 1: photo before the numbers, then the numbers. TPS 2: numbers only.
    let out = await apply([photoEvent(tps(1), 'PPWP', 'a', 1)], [after(tps(1), 'PPWP', 'empty')]);
    expect(out.changed).toEqual([]);
    expect(await progress(DESA)).toBe(0);
    out = await apply([submittedEvent(tps(1), 'PPWP', 2), submittedEvent(tps(2), 'PPWP', 1)], [after(tps(1), 'PPWP', 'submitted'), after(tps(2), 'PPWP', 'submitted')]);
    expect(out.changed.map((c) => c.ballot)).toEqual(['PPWP', 'DPR', 'DPD', 'DPRD_PROV', 'DPRD_KAB']);
    for (const code of [DESA, '122201', '1222', '12']) expect(await progress(code)).toBe(1);
    const { rows: photos } = await db.query<{ tps_code: string; sha256: string; username: string; version: number }>('SELECT tps_code, sha256, username, version FROM result_photos');
    expect(photos).toEqual([{ tps_code: tps(1), sha256: 'a'.repeat(64), username: 'operator-uji', version: 1 }]);
    const { rows: status } = await db.query<{ tps_code: string; submitted: string[]; photographed: string[]; with_photo: boolean }>(
      'SELECT tps_code, submitted, photographed, with_photo FROM tps_photo_status',
    );
    expect(status).toEqual([{ tps_code: tps(1), submitted: ['PPWP'], photographed: ['PPWP'], with_photo: true }]);

    // A second ballot without a photo takes TPS 1 out; its photo brings it back; TPS 2's first photo counts it.
    await apply([submittedEvent(tps(1), 'DPD', 1)], [after(tps(1), 'DPD', 'submitted')]);
    expect(await progress('1222')).toBe(0);
    await apply([photoEvent(tps(1), 'DPD', 'b', 2), photoEvent(tps(2), 'PPWP', 'c', 2)], [after(tps(1), 'DPD', 'submitted'), after(tps(2), 'PPWP', 'submitted')]);
    expect(await progress(DESA)).toBe(2);
    expect(await progress('12')).toBe(2);
  });

  it('check recounts from the streams\' states and names a region whose count is off', async () => {
    const state = (status: ResultStatus, photos: number) => ({ status, photos: Array.from({ length: photos }, () => ({}) as never) });
    const expected = new Map([
      ['1', { electionId: E, tpsCode: tps(1), ballot: 'PPWP' as Ballot, state: state('submitted', 1) }],
      ['2', { electionId: E, tpsCode: tps(1), ballot: 'DPD' as Ballot, state: state('submitted', 1) }],
      ['3', { electionId: E, tpsCode: tps(2), ballot: 'PPWP' as Ballot, state: state('submitted', 1) }],
    ]);
    const stored = await db.transaction((tx) => photosProjection.check(tx));
    expect(stored.differences(expected)).toEqual([]);
    expected.set('4', { electionId: E, tpsCode: tps(3), ballot: 'PPWP', state: state('verified', 2) });
    expect(stored.differences(expected)).toEqual(
      ['1222011001', '122201', '1222', '12'].map((regionCode) => ({ electionId: E, regionCode, ballot: '*', field: 'tpsWithPhoto', expected: 3, actual: 2 })),
    );
  });
});
