import type { EstimateCell } from './estimator';
import { compareCodes } from './sample';
import type { PlaceTraits, TpsPlace } from './tps-place';

/**
 * Post-strata of the quick count: within each stratum (kecamatan), the TPS are split into place
 * classes by how town-like their desa is — a kelurahan or a desa of 32 TPS or more (the towns), then
 * desa of 16–31, 8–15 and under 8 TPS (remote villages). On a real evening these drive both when a
 * C.Hasil arrives and how the TPS votes; the bands double, because the step from 4 to 8 TPS says as
 * much about a place as the one from 16 to 32. A desa is never split (all its TPS share one class).
 * Derived from the master data alone, before any result, so the cells are fixed for the whole evening
 * and anyone can recompute them.
 */
export const PLACE_CLASS_MIN_DESA_TPS = [32, 16, 8, 0] as const;

export const PLACE_CLASS_NAMES = ['kota (kelurahan atau desa ≥ 32 TPS)', 'desa besar (16–31 TPS)', 'desa sedang (8–15 TPS)', 'desa kecil (< 8 TPS)'] as const;

/** Rank of a place's class: 0 for the towns … 3 for the smallest villages. */
export function placeClass(p: PlaceTraits): number {
  if (p.kelurahan) return 0;
  return PLACE_CLASS_MIN_DESA_TPS.findIndex((min) => p.desaTps >= min);
}

export interface PostStrata {
  /** Cell code of every TPS. */
  cellOf: Map<string, string>;
  /** Every cell with its population (sample sizes are filled in by `sampleCells`). */
  cells: Omit<EstimateCell, 'sampleSize'>[];
}

export function postStrata(places: readonly TpsPlace[]): PostStrata {
  const cellOf = new Map<string, string>();
  const cells = new Map<string, Omit<EstimateCell, 'sampleSize'>>();
  for (const p of places) {
    const rank = placeClass(p);
    const code = `${p.kecamatan}/${rank}`;
    cellOf.set(p.code, code);
    const cell = cells.get(code);
    if (cell) cell.population += 1;
    else cells.set(code, { code, stratum: p.kecamatan, rank, population: 1 });
  }
  return { cellOf, cells: [...cells.values()].sort((a, b) => compareCodes(a.stratum, b.stratum) || a.rank - b.rank) };
}

/** The cells with the drawn sample TPS in each, by desa. */
export function sampleCells(strata: PostStrata, sampleTps: readonly { code: string; desa: string; auxiliary?: number }[]): EstimateCell[] {
  const drawn = new Map<string, Map<string, number>>();
  const aux = new Map<string, number>();
  for (const t of sampleTps) {
    const cell = strata.cellOf.get(t.code);
    if (cell === undefined) throw new RangeError(`sample TPS ${t.code} is not in the master data`);
    aux.set(cell, (aux.get(cell) ?? 0) + (t.auxiliary ?? 0));
    let byDesa = drawn.get(cell);
    if (!byDesa) drawn.set(cell, (byDesa = new Map()));
    byDesa.set(t.desa, (byDesa.get(t.desa) ?? 0) + 1);
  }
  return strata.cells.map((c) => {
    const byDesa = drawn.get(c.code) ?? new Map<string, number>();
    return { ...c, sampleSize: [...byDesa.values()].reduce((a, b) => a + b, 0), sampleByDesa: byDesa, sampleAuxiliary: aux.get(c.code) ?? 0 };
  });
}
