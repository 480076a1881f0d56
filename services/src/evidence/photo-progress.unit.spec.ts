import { describe, expect, it } from 'vitest';
import type { Ballot, ResultStatus } from '@suara/contracts';
import { projectPhotoProgress, tpsKey, withPhoto, type PhotoEvent, type TpsPhotoState } from './photo-progress';

const E = 'sim-1';
const TPS = '1222011001001';
const OTHER = '1222011001002';
let position = 0;
const photo = (tpsCode: string, ballot: Ballot, sha = 'a'.repeat(64), streamPosition = 1): PhotoEvent => ({
  type: 'PhotoAttached',
  streamPosition,
  checkpoint: String(++position),
  data: { electionId: E, tpsCode, ballot, sha256: sha, contentType: 'image/jpeg', bytes: 1000, width: 900, height: 1200, page: 1 },
  metadata: { userId: 'u1', username: 'operator-a', at: '2024-02-14T10:00:00.000Z' },
});
const result = (tpsCode: string, ballot: Ballot, status: ResultStatus) => ({ electionId: E, tpsCode, ballot, status });
const state = (tpsCode: string, submitted: Ballot[], photographed: Ballot[]): TpsPhotoState => ({ electionId: E, tpsCode, submitted, photographed });
const none = new Map<string, never>();

describe('photo progress (tpsWithPhoto)', () => {
  it('a TPS counts once every submitted ballot has a photo, in its desa and every ancestor', () => {
    const effects = projectPhotoProgress([photo(TPS, 'PPWP')], [result(TPS, 'PPWP', 'submitted')], none, new Map());
    expect(effects.tps).toEqual([state(TPS, ['PPWP'], ['PPWP'])]);
    expect([...effects.deltas.values()]).toEqual([
      { electionId: E, regionCode: '1222011001', delta: 1 },
      { electionId: E, regionCode: '122201', delta: 1 },
      { electionId: E, regionCode: '1222', delta: 1 },
      { electionId: E, regionCode: '12', delta: 1 },
    ]);
    // Every ballot's tally of those regions shows the count.
    expect(effects.changed.map((c) => c.ballot)).toEqual(['PPWP', 'DPR', 'DPD', 'DPRD_PROV', 'DPRD_KAB']);
    expect(effects.photos[0]).toMatchObject({ tpsCode: TPS, ballot: 'PPWP', sha256: 'a'.repeat(64), username: 'operator-a', version: 1 });
  });

  it('a photo before the numbers does not count the TPS yet; the numbers then do', () => {
    const first = projectPhotoProgress([photo(TPS, 'PPWP')], [result(TPS, 'PPWP', 'empty')], none, new Map());
    expect(first.tps).toEqual([state(TPS, [], ['PPWP'])]);
    expect(first.deltas.size).toBe(0);
    const stored = new Map([[tpsKey(E, TPS), first.tps[0]]]);
    const second = projectPhotoProgress([], [result(TPS, 'PPWP', 'submitted')], stored, new Map());
    expect(second.tps).toEqual([state(TPS, ['PPWP'], ['PPWP'])]);
    expect(second.deltas.get(`${E}|1222`)?.delta).toBe(1);
  });

  it('a second ballot submitted without a photo takes the TPS out again', () => {
    const stored = new Map([[tpsKey(E, TPS), state(TPS, ['PPWP'], ['PPWP'])]]);
    const effects = projectPhotoProgress([], [result(TPS, 'DPR', 'submitted')], stored, new Map());
    expect(effects.tps).toEqual([state(TPS, ['PPWP', 'DPR'], ['PPWP'])]);
    expect(effects.deltas.get(`${E}|1222011001`)?.delta).toBe(-1);
  });

  it('ballots submitted before the first photo are read from the current results', () => {
    const effects = projectPhotoProgress([photo(TPS, 'PPWP')], [result(TPS, 'PPWP', 'verified')], none, new Map([[tpsKey(E, TPS), ['PPWP', 'DPD'] as Ballot[]]]));
    expect(effects.tps).toEqual([state(TPS, ['PPWP', 'DPD'], ['PPWP'])]);
    expect(withPhoto(effects.tps[0])).toBe(false);
    expect(effects.deltas.size).toBe(0);
  });

  it('submissions at TPS without photos keep no state and change nothing', () => {
    const effects = projectPhotoProgress([], [result(OTHER, 'PPWP', 'submitted'), result(OTHER, 'DPR', 'corrected')], none, new Map());
    expect(effects).toMatchObject({ photos: [], tps: [], changed: [] });
    expect(effects.deltas.size).toBe(0);
  });

  it('a verification or another photo of an already counted TPS writes nothing new but the photo row', () => {
    const stored = new Map([[tpsKey(E, TPS), state(TPS, ['PPWP'], ['PPWP'])]]);
    const effects = projectPhotoProgress([photo(TPS, 'PPWP', 'b'.repeat(64), 3)], [result(TPS, 'PPWP', 'verified')], stored, new Map());
    expect(effects.tps).toEqual([]);
    expect(effects.deltas.size).toBe(0);
    expect(effects.photos).toHaveLength(1);
  });

  it('two TPS of one desa in one batch add up, and opposite changes cancel out', () => {
    const stored = new Map([[tpsKey(E, OTHER), state(OTHER, ['PPWP'], ['PPWP'])]]);
    const effects = projectPhotoProgress(
      [photo(TPS, 'PPWP')],
      [result(TPS, 'PPWP', 'submitted'), result(OTHER, 'DPR', 'submitted')],
      stored,
      new Map(),
    );
    expect(effects.tps.map((t) => t.tpsCode).sort()).toEqual([TPS, OTHER]);
    expect(effects.deltas.size).toBe(0);
  });
});
