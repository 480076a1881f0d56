import { describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../db/sql';
import { DESA_SHARES_TTL_MS, DesaShares, desaContext } from './desa-shares';

describe('desaContext', () => {
  it('gives each option its share of valid votes, leaving party ballots\u2019 breakdown keys out', () => {
    expect(desaContext({ '2': 60, '2.p': 10, '2.c1': 50, '5': 40 }, 100, 3)).toEqual({ desaShares: { '2': 0.6, '5': 0.4 }, desaReported: 3 });
  });
  it('gives no shares when nothing valid was counted yet', () => {
    expect(desaContext({ '01': 0 }, 0, 2)).toEqual({ desaShares: {}, desaReported: 2 });
  });
});

describe('DesaShares cache', () => {
  /** Counts queries; answers one desa row. */
  function fakeDb() {
    const calls: unknown[][] = [];
    const db = {
      query: async (_sql: string, params: unknown[]) => {
        calls.push(params);
        return { rows: [{ votes: JSON.stringify({ '01': 30, '02': 70 }), valid: '100', tps_reported: 4 }], rowCount: 1 };
      },
    } as unknown as SqlDatabase;
    return { db, calls };
  }

  it('given concurrent submissions of one desa, then one query answers them all until the entry expires', async () => {
    const { db, calls } = fakeDb();
    const shares = new DesaShares(db);
    let now = 1_000;
    shares.clock = () => now;
    const answers = await Promise.all([1, 2, 3].map((n) => shares.of('e1', `1222011001${String(n).padStart(3, '0')}`, 'PPWP')));
    expect(answers[0]).toEqual({ desaShares: { '01': 0.3, '02': 0.7 }, desaReported: 4 });
    expect(calls).toEqual([['e1', '1222011001', 'PPWP']]);
    await shares.of('e1', '1222011001001', 'DPD');
    expect(calls).toHaveLength(2); // another ballot is another tally
    now += DESA_SHARES_TTL_MS + 1;
    await shares.of('e1', '1222011001001', 'PPWP');
    expect(calls).toHaveLength(3);
  });
});
