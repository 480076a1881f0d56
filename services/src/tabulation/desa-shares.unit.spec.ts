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

describe('DesaShares.ofOthers (a correction)', () => {
  /** Answers one joined row: the desa tally and the corrected TPS's current result. */
  const dbAnswering = (row: Record<string, unknown> | undefined) =>
    ({ query: async () => ({ rows: row ? [row] : [], rowCount: row ? 1 : 0 }) }) as unknown as SqlDatabase;

  it('given a desa tally that counts the TPS being corrected, when a correction asks, then its own numbers and its own report are left out', async () => {
    const shares = new DesaShares(dbAnswering({
      votes: { '01': 300, '02': 100 }, valid: '400', tps_reported: 4,
      status: 'submitted', form: JSON.stringify({ votes: { '01': 10, '02': 90 }, valid: 100, invalid: 0 }),
    }));
    expect(await shares.ofOthers('e1', '1222011001004', 'PPWP')).toEqual({ desaShares: { '01': 290 / 300, '02': 10 / 300 }, desaReported: 3 });
  });

  it('given a party ballot, when its own form is left out, then party totals lose its party votes and candidates alike', async () => {
    const own = { votes: { '2': { party: 5, candidates: { '1': 15 } } }, valid: 20, invalid: 0 };
    const shares = new DesaShares(dbAnswering({ votes: { '2': 50, '2.p': 10, '2.c1': 40, '3': 50 }, valid: 100, tps_reported: 3, status: 'verified', form: own }));
    expect(await shares.ofOthers('e1', '1222011001004', 'DPRD_KAB')).toEqual({ desaShares: { '2': 30 / 80, '3': 50 / 80 }, desaReported: 2 });
  });

  it('given a TPS the tallies do not count yet, when a correction asks, then the desa tally is taken as it is', async () => {
    const shares = new DesaShares(dbAnswering({ votes: { '01': 30, '02': 70 }, valid: 100, tps_reported: 4, status: null, form: null }));
    expect(await shares.ofOthers('e1', '1222011001009', 'PPWP')).toEqual({ desaShares: { '01': 0.3, '02': 0.7 }, desaReported: 4 });
  });

  it('given no tally for the desa, then no context (the flag stays quiet)', async () => {
    expect(await new DesaShares(dbAnswering(undefined)).ofOthers('e1', '1222011001001', 'PPWP')).toEqual({});
  });
});
