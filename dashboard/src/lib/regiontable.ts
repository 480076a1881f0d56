import type { TallyView } from '@suara/contracts';

type Child = TallyView['children'][number];

/** What an office looks for in a long table: the TPS still out, the flagged, the verified. */
export type RowFilter = 'all' | 'empty' | 'waiting' | 'flagged' | 'verified';

export const FILTERS: readonly { value: RowFilter; tpsLabel: string; regionLabel: string }[] = [
  { value: 'all', tpsLabel: 'Semua TPS', regionLabel: 'Semua' },
  { value: 'empty', tpsLabel: 'Belum masuk', regionLabel: 'Ada TPS belum masuk' },
  { value: 'waiting', tpsLabel: 'Menunggu verifikasi', regionLabel: 'Ada TPS menunggu verifikasi' },
  { value: 'flagged', tpsLabel: 'Ditandai', regionLabel: 'Ada TPS ditandai' },
  { value: 'verified', tpsLabel: 'Terverifikasi', regionLabel: 'Semua TPS terverifikasi' },
];

/** How many flagged TPS lie in each row (a TPS row: 0 or 1; a desa or kecamatan: those under it). */
export function flaggedCounts(codes: readonly string[], flaggedTps: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, flaggedTps.filter((t) => t.startsWith(code)).length);
  return counts;
}

/** The rows a filter keeps, in the given order (a new array). */
export function filterRows(children: readonly Child[], filter: RowFilter, flagged: ReadonlyMap<string, number>): Child[] {
  const keep: Record<RowFilter, (c: Child) => boolean> = {
    all: () => true,
    empty: (c) => c.progress.tpsReported < c.progress.tpsTotal,
    waiting: (c) => c.progress.tpsReported > c.progress.tpsVerified,
    flagged: (c) => (flagged.get(c.code) ?? 0) > 0,
    verified: (c) => c.progress.tpsTotal > 0 && c.progress.tpsVerified >= c.progress.tpsTotal,
  };
  return children.filter(keep[filter]);
}

/** A column to sort by: the region code (the printed order), TPS in, valid votes, or an option's votes. */
export type SortKey = 'code' | 'reported' | 'valid' | (string & {});

export function compareRows(key: SortKey, descending: boolean): (a: Child, b: Child) => number {
  const value = (c: Child): number | string => {
    if (key === 'code') return c.code;
    if (key === 'reported') return c.progress.tpsTotal ? c.progress.tpsReported / c.progress.tpsTotal : 0;
    if (key === 'valid') return c.totals.valid;
    return c.totals.votes[key] ?? 0;
  };
  return (a, b) => {
    const [x, y] = [value(a), value(b)];
    const order = x < y ? -1 : x > y ? 1 : 0;
    // ties keep the printed order whichever way the column goes
    return (descending ? -order : order) || a.code.localeCompare(b.code);
  };
}
