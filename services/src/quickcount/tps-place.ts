/**
 * What the master data says about where a TPS is, before any result arrives: whether its desa is a
 * kelurahan (an urban administrative village) and how many TPS its desa has (the town of a kecamatan
 * has dozens, a remote village two or three). Both drive how early its C.Hasil arrives on the evening
 * (town TPS sit near the PPK with good signal) and how it votes (towns vote differently from villages),
 * so the quick count post-stratifies by them (`post-strata.ts`) and the simulator plays them
 * (`simulator/evening.ts`).
 */
export interface PlaceTraits {
  kelurahan: boolean;
  /** TPS in the TPS's desa (or kelurahan). */
  desaTps: number;
}

export interface TpsPlace extends PlaceTraits {
  code: string;
  desa: string;
  kecamatan: string;
}

/** Desa with this many TPS or more count as fully urban (Labusel: 2–78 TPS per desa, the towns 49–78). */
const URBAN_DESA_TPS = 60;

/**
 * How town-like a TPS's place is, in [0, 1]: a kelurahan is 1; a desa goes from 0 (two TPS) to 1 (60 or
 * more) on a log scale, since the step from 2 to 10 TPS says more about a place than the one from 40 to 48.
 */
export function urbanity(p: PlaceTraits): number {
  if (p.kelurahan) return 1;
  return Math.min(1, Math.max(0, Math.log(Math.max(2, p.desaTps) / 2) / Math.log(URBAN_DESA_TPS / 2)));
}

/** Every TPS with its place traits, from the TPS list and the set of desa codes that are kelurahan. */
export function tpsPlaces(tps: readonly { code: string; desaCode: string; kecamatanCode: string }[], isKelurahan: (desaCode: string) => boolean): TpsPlace[] {
  const perDesa = new Map<string, number>();
  for (const t of tps) perDesa.set(t.desaCode, (perDesa.get(t.desaCode) ?? 0) + 1);
  return tps.map((t) => ({
    code: t.code, desa: t.desaCode, kecamatan: t.kecamatanCode, kelurahan: isKelurahan(t.desaCode), desaTps: perDesa.get(t.desaCode)!,
  }));
}
