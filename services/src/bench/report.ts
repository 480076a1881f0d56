import { round } from './stats';

/** The JSON the bench prints as its last line (shape fixed by issue 7); null = not measured this run. */
export interface BenchSummary {
  ingest: { acceptedPerSec: number | null; rawInsertPerSec: number | null; ratio: number | null };
  freshness: { p50Ms: number | null; p99Ms: number | null; ratePerSec: number | null; dashboards: number | null };
  rebuild: { eventsPerSec: number | null };
  embedded: { labuselSeconds: number | null };
  photos: { diskPerSec: number | null; s3PerSec: number | null; p99Ms: number | null; maxRssMb: number | null };
  failover: { p50Ms: number | null; worstMs: number | null };
}

export function emptySummary(): BenchSummary {
  return {
    ingest: { acceptedPerSec: null, rawInsertPerSec: null, ratio: null },
    freshness: { p50Ms: null, p99Ms: null, ratePerSec: null, dashboards: null },
    rebuild: { eventsPerSec: null },
    embedded: { labuselSeconds: null },
    photos: { diskPerSec: null, s3PerSec: null, p99Ms: null, maxRssMb: null },
    failover: { p50Ms: null, worstMs: null },
  };
}

export interface Row {
  measure: string;
  value: string;
  target: string;
  detail: string;
}

/** Fills in the ratio and rounds every figure for printing. */
export function finalize(s: BenchSummary): BenchSummary {
  const { acceptedPerSec, rawInsertPerSec } = s.ingest;
  const r = (n: number | null, d = 0) => (n === null || !Number.isFinite(n) ? null : round(n, d));
  return {
    ingest: {
      acceptedPerSec: r(acceptedPerSec),
      rawInsertPerSec: r(rawInsertPerSec),
      ratio: acceptedPerSec !== null && rawInsertPerSec ? round(acceptedPerSec / rawInsertPerSec, 2) : null,
    },
    freshness: { p50Ms: r(s.freshness.p50Ms, 1), p99Ms: r(s.freshness.p99Ms, 1), ratePerSec: r(s.freshness.ratePerSec), dashboards: s.freshness.dashboards },
    rebuild: { eventsPerSec: r(s.rebuild.eventsPerSec) },
    embedded: { labuselSeconds: r(s.embedded.labuselSeconds, 1) },
    photos: { diskPerSec: r(s.photos.diskPerSec, 1), s3PerSec: r(s.photos.s3PerSec, 1), p99Ms: r(s.photos.p99Ms), maxRssMb: r(s.photos.maxRssMb) },
    failover: { p50Ms: r(s.failover.p50Ms), worstMs: r(s.failover.worstMs) },
  };
}

export function table(rows: Row[]): string {
  const head: Row = { measure: 'measure', value: 'value', target: 'target', detail: 'detail' };
  const all = [head, ...rows];
  const width = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const w = { measure: width('measure'), value: width('value'), target: width('target') };
  const line = (r: Row) => `${r.measure.padEnd(w.measure)}  ${r.value.padStart(w.value)}  ${r.target.padEnd(w.target)}  ${r.detail}`;
  const rule = '-'.repeat(w.measure + w.value + w.target + 6 + Math.max(...all.map((r) => r.detail.length)));
  return [line(head), rule, ...rows.map(line)].join('\n');
}

export const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
