import { describe, expect, it } from 'vitest';
import { loadLabusel } from './test-support/labusel';
import { placeClass, postStrata, sampleCells } from './post-strata';
import { tpsPlaces, urbanity } from './tps-place';

describe('place classes from the master data', () => {
  it('puts kelurahan and desa of 32+ TPS in the towns, then bands of 16–31, 8–15 and fewer', () => {
    expect(placeClass({ kelurahan: true, desaTps: 3 })).toBe(0);
    expect([32, 31, 16, 15, 8, 7, 2].map((desaTps) => placeClass({ kelurahan: false, desaTps }))).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });

  it('scores urbanity from 0 (a desa of two TPS) to 1 (a kelurahan or 60+ TPS), rising with the desa\'s size', () => {
    expect(urbanity({ kelurahan: false, desaTps: 2 })).toBe(0);
    expect(urbanity({ kelurahan: true, desaTps: 2 })).toBe(1);
    expect(urbanity({ kelurahan: false, desaTps: 78 })).toBe(1);
    expect(urbanity({ kelurahan: false, desaTps: 10 })).toBeGreaterThan(urbanity({ kelurahan: false, desaTps: 5 }));
  });

  it('counts each desa\'s TPS for its traits', () => {
    const places = tpsPlaces([
      { code: 't1', desaCode: 'a', kecamatanCode: 'k' }, { code: 't2', desaCode: 'a', kecamatanCode: 'k' }, { code: 't3', desaCode: 'b', kecamatanCode: 'k' },
    ], (d) => d === 'b');
    expect(places.map((p) => [p.code, p.desaTps, p.kelurahan])).toEqual([['t1', 2, false], ['t2', 2, false], ['t3', 1, true]]);
  });

  it('splits each Labusel kecamatan into place cells whose populations add up to its TPS, never splitting a desa', () => {
    const { tps } = loadLabusel();
    const strata = postStrata(tps);
    const perKecamatan = new Map<string, number>();
    for (const c of strata.cells) perKecamatan.set(c.stratum, (perKecamatan.get(c.stratum) ?? 0) + c.population);
    expect(Object.fromEntries(perKecamatan)).toEqual({ 122201: 202, 122202: 203, 122203: 352, 122204: 161, 122205: 107 });
    const cellsOfDesa = new Map<string, Set<string>>();
    for (const t of tps) (cellsOfDesa.get(t.desa) ?? cellsOfDesa.set(t.desa, new Set()).get(t.desa)!).add(strata.cellOf.get(t.code)!);
    expect([...cellsOfDesa.values()].every((cells) => cells.size === 1)).toBe(true);
    // Kelurahan Kotapinang (73 + 1 TPS) is a town
    expect(strata.cellOf.get('1222011001001')).toBe('122201/0');
  });

  it('counts the drawn TPS of each cell by desa, and refuses a TPS the master data does not have', () => {
    const { tps } = loadLabusel();
    const strata = postStrata(tps);
    const drawn = [tps[0], tps[1], tps[500]].map((t) => ({ code: t.code, desa: t.desa, auxiliary: urbanity(t) }));
    const cells = sampleCells(strata, drawn);
    expect(cells.reduce((a, c) => a + c.sampleSize, 0)).toBe(3);
    const first = cells.find((c) => c.code === strata.cellOf.get(tps[0].code))!;
    expect(first.sampleByDesa!.get(tps[0].desa)).toBeGreaterThanOrEqual(2);
    expect(() => sampleCells(strata, [{ code: 'nope', desa: 'x' }])).toThrow(/not in the master data/);
  });
});
