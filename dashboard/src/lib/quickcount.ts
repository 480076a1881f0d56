import type { QuickCountCall, QuickCountView, TallyView } from '@suara/contracts';
import { fmtPct, fmtWib } from './format';

/** The calls as lines to show: one per option and moment (a majority and a lead made together read as one). */
export interface CallLine { key: string; option: string; text: string; holds: boolean }

/** "unggul secara statistik sejak 19.42 WIB (162 TPS sampel)", "di atas 50% dan unggul secara statistik sejak …". */
export function callLines(calls: readonly QuickCountCall[]): CallLine[] {
  const lines: CallLine[] = [];
  const at = (c: QuickCountCall) => `sejak ${fmtWib(c.since)} (${c.received.toLocaleString('id-ID')} TPS sampel)`;
  const lead = calls.find((c) => c.kind === 'lead');
  const majority = calls.find((c) => c.kind === 'majority');
  if (lead && majority && lead.option === majority.option && lead.since === majority.since && lead.holds === majority.holds) {
    return [{ key: 'both', option: lead.option, text: `di atas 50% dan unggul secara statistik ${at(lead)}`, holds: lead.holds }];
  }
  if (lead) lines.push({ key: 'lead', option: lead.option, text: `unggul secara statistik ${at(lead)}`, holds: lead.holds });
  if (majority) lines.push({ key: 'majority', option: majority.option, text: `di atas 50% secara statistik ${at(majority)}`, holds: majority.holds });
  return lines;
}

/**
 * The right end of the bars (quick count and full count): one fixed scale, never the leader's share (a leader at 52% must not look
 * like a landslide): 100% for a one-winner ballot, where the 50% line matters, else 50%.
 */
export function axisMax(view: Pick<QuickCountView, 'ballot'>): number {
  return view.ballot === 'PPWP' ? 1 : 0.5;
}

/** Position of a share on the bar in percent of its width, clipped to the scale. */
export const onAxis = (share: number, max: number): number => (Math.min(max, Math.max(0, share)) / max) * 100;

/** The full count's share of each option in the region the quick count covers (null until a vote is in). */
export function fullShares(tally: TallyView | null): Map<string, number> | null {
  if (!tally || tally.totals.valid <= 0) return null;
  return new Map(Object.entries(tally.totals.votes).map(([option, votes]) => [option, votes / tally.totals.valid]));
}

/** "+0,42 poin" / "−1,10 poin": the estimate minus the full count so far. */
export function fmtDifference(estimate: number, full: number): string {
  const points = (estimate - full) * 100;
  const text = fmtPct(Math.abs(points) / 100).replace('%', '');
  return `${points >= 0 ? '+' : '−'}${text} poin`;
}
