import { isPreliminary, linearInterval, QuickCountAccumulator, type EstimateCell, type ReceivedTps, type ShareFit } from './estimator';

/**
 * "Is it decided yet?" — the quick count's call, for a ballot with one winner (PPWP). Two calls, each
 * made at the first moment its rule holds while the evening is replayed arrival by arrival:
 * - `majority`: the leader's share is above 50%: the lower end of its two-sided 99% interval is above 0.5;
 * - `lead`: the leader is ahead of the runner-up: the lower end of the 99% interval of their difference
 *   (its own variance, with the covariance of the two shares) is above 0.
 * Only with enough of the sample in: at least `MIN_RECEIVED_SHARE` of the drawn TPS, and an estimate
 * that is not preliminary (no place class left without TPS in). Looking again after every arrival is
 * a sequence of tests; the 99% level and the 50% floor keep the wrong calls rare on the simulated
 * evenings (call.coverage.unit.spec.ts: ≤ 1% of 1,000 evenings with realistic arrival).
 */
export const CALL_CONFIDENCE = 0.99;
export const MIN_RECEIVED_SHARE = 0.5;

export type CallKind = 'majority' | 'lead';

export interface CallMoment {
  kind: CallKind;
  /** The option called. */
  option: string;
  /** When the TPS that made the rule hold arrived (in the arrivals' unit, e.g. epoch milliseconds). */
  at: number;
  /** Sample TPS in at that moment. */
  received: number;
  /** The lower end of the 99% interval then (share, or lead over the runner-up). */
  lower: number;
}

export interface Arrival extends ReceivedTps {
  /** Arrival time (any unit, e.g. epoch milliseconds); arrivals are replayed in this order. */
  at: number;
}

/** The rule at one moment: which calls hold, for which option, with which lower bound. */
export function callsNow(fit: ShareFit): { kind: CallKind; option: string; lower: number }[] {
  if (!fit.shares || fit.options.length < 2) return [];
  if (fit.received < MIN_RECEIVED_SHARE * fit.drawn || isPreliminary(fit)) return [];
  const order = fit.shares.map((s, i) => ({ s, i })).sort((a, b) => b.s - a.s);
  const [leader, runnerUp] = order;
  const k = fit.shares.length;
  const share = linearInterval(fit, Array.from({ length: k }, (_, j) => (j === leader.i ? 1 : 0)), CALL_CONFIDENCE);
  const lead = linearInterval(fit, Array.from({ length: k }, (_, j) => (j === leader.i ? 1 : j === runnerUp.i ? -1 : 0)), CALL_CONFIDENCE);
  const option = fit.options[leader.i];
  const out: { kind: CallKind; option: string; lower: number }[] = [];
  if (share.estimate - share.moe > 0.5) out.push({ kind: 'majority', option, lower: share.estimate - share.moe });
  if (lead.estimate - lead.moe > 0) out.push({ kind: 'lead', option, lower: lead.estimate - lead.moe });
  return out;
}

/**
 * Replays the arrivals in time order (TPS arriving at the same moment together) and returns the first
 * moment of each call; it stops once both calls are made.
 */
export function firstCalls(options: readonly string[], cells: readonly EstimateCell[], arrivals: readonly Arrival[]): CallMoment[] {
  const acc = new QuickCountAccumulator(options, cells);
  const drawn = cells.reduce((a, c) => a + c.sampleSize, 0);
  const sorted = [...arrivals].sort((a, b) => a.at - b.at);
  const first = new Map<CallKind, CallMoment>();
  for (let i = 0; i < sorted.length && first.size < 2; i++) {
    acc.add(sorted[i]);
    if (i + 1 < sorted.length && sorted[i + 1].at === sorted[i].at) continue;
    if (acc.count < MIN_RECEIVED_SHARE * drawn) continue;
    for (const c of callsNow(acc.fit())) if (!first.has(c.kind)) first.set(c.kind, { ...c, at: sorted[i].at, received: acc.count });
  }
  return [...first.values()];
}
