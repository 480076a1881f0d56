import type { Flag } from './form';

/**
 * How bad a plausibility flag is, wherever results are read: the verifiers' queue sorts results
 * by `flagSeverity`, result views list their flags worst first (`sortFlags`).
 */

/** Flag codes, worst first. */
export const FLAG_CODES = [
  'inconsistent_as_written',
  'turnout_over_dpt',
  'total_over_300',
  'option_over_300',
  'near_unanimous',
  'off_desa_share',
  'full_turnout',
  'high_invalid',
  'empty_result',
  'entered_by_verifier',
  'dpt_over_300',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** What each flag is called on screen and on paper (Bahasa Indonesia), e.g. in the verifiers' filter. */
export const FLAG_NAMES: Record<FlagCode, string> = {
  inconsistent_as_written: 'Sesuai tertulis (angka tidak cocok)',
  turnout_over_dpt: 'Partisipasi melebihi DPT',
  total_over_300: 'Total suara melebihi 300',
  option_over_300: 'Satu pilihan melebihi 300',
  near_unanimous: 'Hampir semua suara ke satu pilihan',
  off_desa_share: 'Jauh dari perolehan desa',
  full_turnout: 'Partisipasi tepat 100%',
  high_invalid: 'Suara tidak sah di atas 10%',
  empty_result: 'Tanpa suara sama sekali',
  entered_by_verifier: 'Dientri verifikator',
  dpt_over_300: 'DPT melebihi 300',
};

/** Severity per flag code: higher is worse. Unknown codes count as `UNKNOWN_FLAG_SEVERITY`. */
export const FLAG_SEVERITY: Record<FlagCode, number> = {
  // A paper that does not add up is what verifiers must see first.
  inconsistent_as_written: 200,
  turnout_over_dpt: 100,
  total_over_300: 90,
  option_over_300: 80,
  near_unanimous: 70,
  off_desa_share: 60,
  full_turnout: 50,
  high_invalid: 40,
  empty_result: 30,
  entered_by_verifier: 25,
  dpt_over_300: 20,
};
export const UNKNOWN_FLAG_SEVERITY = 10;

function severityOf(code: string): number {
  return (FLAG_SEVERITY as Record<string, number>)[code] ?? UNKNOWN_FLAG_SEVERITY;
}

/**
 * A sort key for a flagged result, higher = look at it first: the worst flag dominates,
 * more flags break ties. 0 when there are no flags.
 */
export function flagSeverity(flags: readonly Pick<Flag, 'code'>[]): number {
  if (flags.length === 0) return 0;
  const worst = Math.max(...flags.map((f) => severityOf(f.code)));
  return worst * 100 + Math.min(flags.length, 99);
}

/** The flags ordered worst first (stable for equal severity). */
export function sortFlags<F extends Pick<Flag, 'code'>>(flags: readonly F[]): F[] {
  return [...flags].sort((a, b) => severityOf(b.code) - severityOf(a.code));
}
