import { ancestorCodes, RESULT_STREAM_PREFIX, type Ballot, type ResultStatus } from '@suara/contracts';
import type { SqlExecutor } from '../db/sql';
import type { Statement } from '../db/statements';
import type { RecordedEvent } from '../eventstore/event-store.port';
import type { ResultState } from '../tabulation/result.decider';
import { projectPhotoProgress, tpsKey, withPhoto, type PhotoEvent, type PhotoRow, type TpsPhotoState } from './photo-progress';

/** What the projector's runtime hands a definition (a batch and the result streams it touched), as this one reads it. */
export interface PhotoProjectionBatch {
  events: readonly RecordedEvent[];
  results: ReadonlyArray<{ after: { electionId: string; tpsCode: string; ballot: Ballot; status: ResultStatus } }>;
}

/** A result stream's final state, folded by the write side's decider (for `check`). */
export interface RecomputedPhotos {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  state: Pick<ResultState, 'status' | 'photos'>;
}

export interface PhotoProgressDifference {
  electionId: string;
  regionCode: string;
  ballot: string;
  field: string;
  expected: number;
  actual: number;
}

/**
 * The photo read models, kept by the projector: `result_photos` (which result carries which photo),
 * `tps_photo_status` (TPS with photos: submitted and photographed ballots) and
 * `region_photo_progress` (tallies' `progress.tpsWithPhoto`, desa and above). See photo-progress.ts.
 * A projection definition (`projections/projection-definition.ts`): the projector's one runtime
 * feeds it and commits its writes with the batch's checkpoint.
 */
export const photosProjection = {
  name: 'photos',
  // Every result-stream event: a submission can change whether a TPS with photos counts.
  canHandle: (event: Pick<RecordedEvent, 'streamId'>): boolean => event.streamId.startsWith(RESULT_STREAM_PREFIX),
  tables: ['result_photos', 'tps_photo_status', 'region_photo_progress'] as readonly string[],
  project: (batch: PhotoProjectionBatch, tx: SqlExecutor) => projectPhotos(batch, tx, () => true),
  /**
   * A rebuild starts from empty tables, so only a TPS whose photo it has already seen can have a
   * stored status: the others are not looked up (the lookup would make every batch wait for the
   * batches before it to be written). Holds one key per TPS with a photo.
   */
  startRebuild() {
    const photographed = new Set<string>();
    return {
      async add(batch: PhotoProjectionBatch, tx: SqlExecutor) {
        const { writes } = await projectPhotos(batch, tx, (key) => photographed.has(key));
        for (const e of photoEventsOf(batch.events)) photographed.add(tpsKey(photoTps(e).electionId, photoTps(e).tpsCode));
        return writes;
      },
      finish: async () => [],
    };
  },
  check: checkPhotoProgress,
};

const photoEventsOf = (events: readonly RecordedEvent[]) => events.filter((e) => e.type === 'PhotoAttached') as unknown as PhotoEvent[];
const photoTps = (e: PhotoEvent) => e.data as { electionId: string; tpsCode: string };

/** A batch's photo writes; `mayBeStored` says which TPS (by `tpsKey`) may have a stored photo status to read. */
async function projectPhotos({ events, results }: PhotoProjectionBatch, tx: SqlExecutor, mayBeStored: (key: string) => boolean) {
  const photoEvents = photoEventsOf(events);
  const touched = new Map<string, { electionId: string; tpsCode: string }>();
  for (const { after } of results) {
    const key = tpsKey(after.electionId, after.tpsCode);
    if (mayBeStored(key)) touched.set(key, { electionId: after.electionId, tpsCode: after.tpsCode });
  }
  const stored = await loadTpsPhotoStatus(tx, [...touched.values()]);
  const firstPhotos = new Map<string, { electionId: string; tpsCode: string }>();
  for (const e of photoEvents) {
    const d = photoTps(e);
    const key = tpsKey(d.electionId, d.tpsCode);
    if (!stored.has(key)) firstPhotos.set(key, { electionId: d.electionId, tpsCode: d.tpsCode });
  }
  const submittedBefore = await loadSubmittedBallots(tx, [...firstPhotos.values()]);
  const effects = projectPhotoProgress(photoEvents, results.map((r) => r.after), stored, submittedBefore);
  return {
    writes: [photosWrite(effects.photos), tpsStatusWrite(effects.tps), progressWrite([...effects.deltas.values()])],
    changed: effects.changed,
  };
}

const keysJson = (keys: Array<{ electionId: string; tpsCode: string }>) => JSON.stringify(keys.map((k) => ({ e: k.electionId, t: k.tpsCode })));

async function loadTpsPhotoStatus(tx: SqlExecutor, keys: Array<{ electionId: string; tpsCode: string }>): Promise<Map<string, TpsPhotoState>> {
  const found = new Map<string, TpsPhotoState>();
  if (keys.length === 0) return found;
  const { rows } = await tx.query<{ election_id: string; tps_code: string; submitted: Ballot[]; photographed: Ballot[] }>(
    `SELECT s.election_id, s.tps_code, s.submitted, s.photographed
       FROM json_to_recordset($1::json) AS k(e text, t text)
       JOIN tps_photo_status s ON s.election_id = k.e AND s.tps_code = k.t`,
    [keysJson(keys)],
  );
  for (const r of rows) found.set(tpsKey(r.election_id, r.tps_code), { electionId: r.election_id, tpsCode: r.tps_code, submitted: r.submitted, photographed: r.photographed });
  return found;
}

/** Ballots with numbers at these TPS, as the current results stood before the batch. */
async function loadSubmittedBallots(tx: SqlExecutor, keys: Array<{ electionId: string; tpsCode: string }>): Promise<Map<string, Ballot[]>> {
  const found = new Map<string, Ballot[]>();
  if (keys.length === 0) return found;
  const { rows } = await tx.query<{ election_id: string; tps_code: string; ballot: Ballot }>(
    `SELECT c.election_id, c.tps_code, c.ballot
       FROM json_to_recordset($1::json) AS k(e text, t text)
       JOIN result_current c ON c.election_id = k.e AND c.tps_code = k.t
      WHERE c.status <> 'empty'`,
    [keysJson(keys)],
  );
  for (const r of rows) {
    const key = tpsKey(r.election_id, r.tps_code);
    found.set(key, [...(found.get(key) ?? []), r.ballot]);
  }
  return found;
}

function photosWrite(photos: PhotoRow[]): Statement | undefined {
  if (photos.length === 0) return undefined;
  return {
    sql: `INSERT INTO result_photos (election_id, tps_code, ballot, sha256, content_type, bytes, width, height, page, user_id, username, at, version, position)
          SELECT "electionId", "tpsCode", ballot, sha256, "contentType", bytes, width, height, page, "userId", username, at, version, position
            FROM json_to_recordset($1::json) AS p("electionId" text, "tpsCode" text, ballot text, sha256 text, "contentType" text, bytes bigint,
                 width int, height int, page int, "userId" text, username text, at timestamptz, version int, position text)
          ON CONFLICT DO NOTHING`,
    params: [JSON.stringify(photos)],
  };
}

function tpsStatusWrite(states: TpsPhotoState[]): Statement | undefined {
  if (states.length === 0) return undefined;
  const rows = states.map((s) => ({ e: s.electionId, t: s.tpsCode, s: s.submitted, p: s.photographed, w: withPhoto(s) }));
  return {
    sql: `INSERT INTO tps_photo_status (election_id, tps_code, submitted, photographed, with_photo)
          SELECT e, t, ARRAY(SELECT json_array_elements_text(s)), ARRAY(SELECT json_array_elements_text(p)), w
            FROM json_to_recordset($1::json) AS r(e text, t text, s json, p json, w boolean)
          ON CONFLICT (election_id, tps_code) DO UPDATE SET
            submitted = EXCLUDED.submitted, photographed = EXCLUDED.photographed, with_photo = EXCLUDED.with_photo`,
    params: [JSON.stringify(rows)],
  };
}

function progressWrite(deltas: Array<{ electionId: string; regionCode: string; delta: number }>): Statement | undefined {
  if (deltas.length === 0) return undefined;
  return {
    sql: `INSERT INTO region_photo_progress (election_id, region_code, tps_with_photo)
          SELECT e, r, d FROM json_to_recordset($1::json) AS x(e text, r text, d int)
          ON CONFLICT (election_id, region_code) DO UPDATE SET tps_with_photo = region_photo_progress.tps_with_photo + EXCLUDED.tps_with_photo`,
    params: [JSON.stringify(deltas.map((d) => ({ e: d.electionId, r: d.regionCode, d: d.delta })))],
  };
}

/** `suara check`: every region's TPS-with-photo count against a recount from the write side's own states. */
async function checkPhotoProgress(tx: SqlExecutor): Promise<{ rows: number; differences(expected: ReadonlyMap<string, RecomputedPhotos>): PhotoProgressDifference[] }> {
  const { rows } = await tx.query<{ election_id: string; region_code: string; tps_with_photo: number }>(
    'SELECT election_id, region_code, tps_with_photo FROM region_photo_progress',
  );
  return {
    rows: rows.length,
    differences(expected: ReadonlyMap<string, RecomputedPhotos>): PhotoProgressDifference[] {
      const byTps = new Map<string, TpsPhotoState>();
      for (const r of expected.values()) {
        const key = tpsKey(r.electionId, r.tpsCode);
        const s = byTps.get(key) ?? { electionId: r.electionId, tpsCode: r.tpsCode, submitted: [], photographed: [] };
        if (r.state.status !== 'empty') s.submitted.push(r.ballot);
        if (r.state.photos.length > 0) s.photographed.push(r.ballot);
        byTps.set(key, s);
      }
      const counts = new Map<string, number>();
      for (const s of byTps.values()) {
        if (!withPhoto(s)) continue;
        for (const code of ancestorCodes(s.tpsCode)) counts.set(`${s.electionId}|${code}`, (counts.get(`${s.electionId}|${code}`) ?? 0) + 1);
      }
      const stored = new Map(rows.map((r) => [`${r.election_id}|${r.region_code}`, r.tps_with_photo]));
      const differences: PhotoProgressDifference[] = [];
      for (const key of new Set([...counts.keys(), ...stored.keys()])) {
        const want = counts.get(key) ?? 0;
        const have = stored.get(key) ?? 0;
        if (want === have) continue;
        const [electionId, regionCode] = key.split('|');
        differences.push({ electionId, regionCode, ballot: '*', field: 'tpsWithPhoto', expected: want, actual: have });
      }
      return differences;
    },
  };
}
