import { ancestorCodes, BALLOTS, type Ballot, type PhotoAttached, type ResultStatus } from '@suara/contracts';

/**
 * The pure part of the photo read models: from a batch's photo events and the result streams it
 * touched, the `result_photos` rows, the new photo state of each TPS concerned, and how many TPS
 * "with photo" each region gains or loses. A TPS counts when every ballot submitted there has at
 * least one photo (and at least one ballot is submitted): the same in every ballot's tally.
 *
 * A TPS without any photo never counts, so its submissions need no row: a TPS gets one with its
 * first photo, and its submitted ballots are then read from the current results.
 */

export interface TpsPhotoState {
  electionId: string;
  tpsCode: string;
  /** Ballots with numbers (any status but empty). */
  submitted: Ballot[];
  /** Ballots with at least one photo. */
  photographed: Ballot[];
}

/** A row of `result_photos`: which result carries which photo (who may see it, and the queue's filter). */
export interface PhotoRow {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  sha256: string;
  contentType: string;
  bytes: number;
  width: number;
  height: number;
  page: number | null;
  userId: string;
  username: string | null;
  at: string;
  version: number;
  position: string;
}

/** A photo event as the projection reads it (a recorded `PhotoAttached`). */
export interface PhotoEvent {
  type: string;
  streamPosition: number;
  checkpoint: string;
  data: unknown;
  metadata: { userId: string; username?: string; at: string };
}

/** A result stream's status after the batch. */
export interface ResultAfter {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
  status: ResultStatus;
}

export interface PhotoProgressEffects {
  photos: PhotoRow[];
  /** TPS whose photo state changed (to be stored). */
  tps: TpsPhotoState[];
  /** TPS-with-photo count changes per `election|region` (desa and above), non-zero only. */
  deltas: Map<string, { electionId: string; regionCode: string; delta: number }>;
  /** Regions whose tallies (every ballot's) show another count. */
  changed: Array<{ electionId: string; ballot: Ballot; regionCodes: string[] }>;
}

export const tpsKey = (electionId: string, tpsCode: string) => `${electionId}|${tpsCode}`;

export const withPhoto = (s: TpsPhotoState | undefined): boolean =>
  !!s && s.submitted.length > 0 && s.submitted.every((b) => s.photographed.includes(b));

const sorted = (set: Set<Ballot>): Ballot[] => BALLOTS.filter((b) => set.has(b));

/**
 * `stored`: the stored state of the TPS concerned that have one. `submittedBefore`: for TPS that get
 * their first photo in this batch, the ballots submitted before it (from the current results).
 */
export function projectPhotoProgress(
  events: readonly PhotoEvent[],
  results: readonly ResultAfter[],
  stored: ReadonlyMap<string, TpsPhotoState>,
  submittedBefore: ReadonlyMap<string, readonly Ballot[]>,
): PhotoProgressEffects {
  const photos: PhotoRow[] = [];
  const next = new Map<string, { electionId: string; tpsCode: string; submitted: Set<Ballot>; photographed: Set<Ballot> }>();
  const stateOf = (electionId: string, tpsCode: string) => {
    const key = tpsKey(electionId, tpsCode);
    let s = next.get(key);
    if (!s) {
      const old = stored.get(key);
      s = { electionId, tpsCode, submitted: new Set(old?.submitted ?? submittedBefore.get(key) ?? []), photographed: new Set(old?.photographed ?? []) };
      next.set(key, s);
    }
    return s;
  };
  for (const event of events) {
    if (event.type !== 'PhotoAttached') continue;
    const d = event.data as PhotoAttached['data'];
    photos.push({
      electionId: d.electionId, tpsCode: d.tpsCode, ballot: d.ballot, sha256: d.sha256, contentType: d.contentType, bytes: d.bytes,
      width: d.width, height: d.height, page: d.page, userId: event.metadata.userId, username: event.metadata.username ?? null,
      at: event.metadata.at, version: event.streamPosition, position: event.checkpoint,
    });
    stateOf(d.electionId, d.tpsCode).photographed.add(d.ballot);
  }
  for (const r of results) {
    // Only TPS with photos have a state worth keeping (see above).
    if (!next.has(tpsKey(r.electionId, r.tpsCode)) && !stored.has(tpsKey(r.electionId, r.tpsCode))) continue;
    const s = stateOf(r.electionId, r.tpsCode);
    if (r.status === 'empty') s.submitted.delete(r.ballot);
    else s.submitted.add(r.ballot);
  }
  const tps: TpsPhotoState[] = [];
  const deltas = new Map<string, { electionId: string; regionCode: string; delta: number }>();
  const changed = new Map<string, Set<string>>();
  for (const [key, s] of next) {
    const state = { electionId: s.electionId, tpsCode: s.tpsCode, submitted: sorted(s.submitted), photographed: sorted(s.photographed) };
    const old = stored.get(key);
    if (old && same(old, state)) continue;
    tps.push(state);
    const delta = Number(withPhoto(state)) - Number(withPhoto(old));
    if (delta === 0) continue;
    const regions = ancestorCodes(s.tpsCode);
    for (const code of regions) {
      const k = `${s.electionId}|${code}`;
      const d = deltas.get(k) ?? { electionId: s.electionId, regionCode: code, delta: 0 };
      d.delta += delta;
      deltas.set(k, d);
    }
    let codes = changed.get(s.electionId);
    if (!codes) changed.set(s.electionId, (codes = new Set()));
    for (const code of regions) codes.add(code);
  }
  for (const [k, d] of deltas) if (d.delta === 0) deltas.delete(k);
  return {
    photos,
    tps,
    deltas,
    changed: [...changed].flatMap(([electionId, codes]) => BALLOTS.map((ballot) => ({ electionId, ballot, regionCodes: [...codes].sort() }))),
  };
}

const same = (a: TpsPhotoState, b: TpsPhotoState) => a.submitted.join() === b.submitted.join() && a.photographed.join() === b.photographed.join();
