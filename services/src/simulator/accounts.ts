import type { Ballot } from '@suara/contracts';
import { cyrb128 } from '../quickcount/sample';

export const VERIFIER_USERNAME = 'sim-verifier';

/** One simulated village operator: a desa's TPS, or a share of them in a large desa. */
export interface OperatorAccount {
  username: string;
  desaCode: string;
  tpsCodes: string[];
}

/**
 * Operator accounts, scoped to their desa: one per desa, several for a desa with more than
 * `tpsPerOperator` TPS (a kelurahan with 70 TPS has more than one operator, and each stays under
 * the server's per-user submission rate).
 */
export function operatorAccounts(tps: readonly { code: string; desaCode: string }[], tpsPerOperator: number): OperatorAccount[] {
  const byDesa = new Map<string, string[]>();
  for (const t of tps) byDesa.set(t.desaCode, [...(byDesa.get(t.desaCode) ?? []), t.code]);
  const accounts: OperatorAccount[] = [];
  for (const desaCode of [...byDesa.keys()].sort()) {
    const codes = byDesa.get(desaCode)!.sort();
    const chunks = Math.ceil(codes.length / tpsPerOperator);
    for (let k = 0; k < chunks; k++) {
      const from = Math.floor((k * codes.length) / chunks);
      const to = Math.floor(((k + 1) * codes.length) / chunks);
      accounts.push({ username: `sim-op-${desaCode}-${k + 1}`, desaCode, tpsCodes: codes.slice(from, to) });
    }
  }
  return accounts;
}

/** `n` items evenly spread over the list (all of them when n ≥ length). */
export function spreadPick<T>(items: readonly T[], n: number | undefined): T[] {
  if (n === undefined || n >= items.length) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/**
 * The TPS a run plays: all of them, or `limit` spread over the kabupaten — always including the quick
 * count sample's TPS, so a short run still feeds the estimate.
 */
export function pickTps<T extends { code: string }>(all: readonly T[], limit: number | undefined, mustInclude: readonly string[]): T[] {
  if (limit === undefined || limit >= all.length) return [...all];
  const wanted = new Set(mustInclude);
  const sample = all.filter((t) => wanted.has(t.code));
  const rest = spreadPick(all.filter((t) => !wanted.has(t.code)), Math.max(0, limit - sample.length));
  return [...sample, ...rest].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Short tag of a run's seed, so the same seed sends the same clientRequestIds (the server sees retries). */
export function runTag(seed: string): string {
  return cyrb128(seed)[0].toString(36);
}

/** `sim-<tag>-<tps>-<ballot>`, with `-fix` for the corrected resubmission after a 400. */
export function clientRequestId(tag: string, tpsCode: string, ballot: Ballot, fix = false): string {
  return `sim-${tag}-${tpsCode}-${ballot}${fix ? '-fix' : ''}`;
}
