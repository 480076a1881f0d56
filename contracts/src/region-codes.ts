/**
 * Region and TPS codes by their digits (zod-free, so the dashboard can import it at runtime as
 * `@suara/contracts/region-codes`). Codes here are normalised: no dots.
 */

/** Digits of a code at each level: Kemendagri region codes, then the TPS's 3-digit number. */
export const CODE_LENGTH = { provinsi: 2, kabupaten: 4, kecamatan: 6, desa: 10, tps: 13 } as const;
export type CodeLevel = keyof typeof CODE_LENGTH;
/** Lengths of region codes (provinsi to desa), a TPS's excluded. */
export const REGION_CODE_LENGTHS: readonly number[] = [CODE_LENGTH.provinsi, CODE_LENGTH.kabupaten, CODE_LENGTH.kecamatan, CODE_LENGTH.desa];

/** The level of a (normalised) region or TPS code, by its length. */
export function levelOfCode(code: string): CodeLevel {
  const level = (Object.keys(CODE_LENGTH) as CodeLevel[]).find((l) => CODE_LENGTH[l] === code.length);
  if (!level) throw new Error(`unknown region code length: ${code}`);
  return level;
}

export const isTpsCode = (code: string): boolean => code.length === CODE_LENGTH.tps;
export const isDesaCode = (code: string): boolean => code.length === CODE_LENGTH.desa;

/** The code of the region at `level` that holds `code` (a TPS's desa, a desa's kecamatan, …). */
export const ancestorOf = (code: string, level: CodeLevel): string => code.slice(0, CODE_LENGTH[level]);
/** The desa a TPS lies in. */
export const desaOf = (tpsCode: string): string => ancestorOf(tpsCode, 'desa');
export const kecamatanOf = (code: string): string => ancestorOf(code, 'kecamatan');

/** The codes of every ancestor of a region or TPS, nearest first, up to the provinsi. */
export function ancestorCodes(code: string): string[] {
  const levels: CodeLevel[] = ['desa', 'kecamatan', 'kabupaten', 'provinsi'];
  return levels.filter((l) => CODE_LENGTH[l] < code.length).map((l) => ancestorOf(code, l));
}
