import { describe, expect, it } from 'vitest';
import type { TallyView } from '@suara/contracts';
import { compareRows, filterRows, flaggedCounts } from '../../dashboard/src/lib/regiontable';
import { inkOn } from '../../dashboard/src/lib/options';

type Child = TallyView['children'][number];
const tps = (n: string, reported: number, verified: number, valid: number, v01 = 0): Child => ({
  code: `1222032001${n}`, level: 'tps', name: `TPS ${n}`,
  totals: { votes: { '01': v01 }, valid, invalid: 0 }, progress: { tpsTotal: 1, tpsReported: reported, tpsVerified: verified },
});
const rows = [tps('001', 1, 1, 150, 40), tps('002', 1, 0, 155, 55), tps('003', 0, 0, 0), tps('004', 1, 0, 200, 0)];

describe('region table helpers', () => {
  const flagged = flaggedCounts(rows.map((r) => r.code), ['1222032001004', '1222011001001']);

  it('counts flagged TPS under each row, by code prefix', () => {
    expect([...flagged.values()]).toEqual([0, 0, 0, 1]);
    expect(flaggedCounts(['1222032001', '1222011001'], ['1222032001004', '1222032001002', '1222011009001'])).toEqual(new Map([['1222032001', 2], ['1222011001', 0]]));
  });

  it('keeps the TPS not in, waiting, flagged or verified', () => {
    const names = (f: Parameters<typeof filterRows>[1]) => filterRows(rows, f, flagged).map((r) => r.name);
    expect(names('all')).toHaveLength(4);
    expect(names('empty')).toEqual(['TPS 003']);
    expect(names('waiting')).toEqual(['TPS 002', 'TPS 004']);
    expect(names('flagged')).toEqual(['TPS 004']);
    expect(names('verified')).toEqual(['TPS 001']);
  });

  it('sorts by a number largest first or by code, ties in the printed order', () => {
    const by = (key: string, desc: boolean) => [...rows].sort(compareRows(key, desc)).map((r) => r.name.slice(4));
    expect(by('valid', true)).toEqual(['004', '002', '001', '003']);
    expect(by('valid', false)).toEqual(['003', '001', '002', '004']);
    expect(by('01', true)).toEqual(['002', '001', '003', '004']);
    expect(by('reported', true)).toEqual(['001', '002', '004', '003']);
    expect(by('code', true)).toEqual(['004', '003', '002', '001']);
  });
});

describe('option badges', () => {
  it('puts dark ink on the pale paslon colours and white on dark ones', () => {
    expect(['#8CB9BD', '#C7B7A3', '#B67352'].map(inkOn)).toEqual(['#14181f', '#14181f', '#14181f']);
    expect(['#1f77b4', '#393b79', '#843c39'].map(inkOn)).toEqual(['#fff', '#fff', '#fff']);
    expect(inkOn('merah')).toBe('#fff');
  });
});
