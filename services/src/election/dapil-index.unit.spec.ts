import { describe, expect, it } from 'vitest';
import { DapilIndex } from './dapil-index';

// Torgamba (122203) split as in KPU Labusel's 2022 draft: "Torgamba B" lists two of its desa.
const index = new DapilIndex([
  { code: 'KAB-1', ballot: 'DPRD_KAB', regionCodes: ['122201', '122202'] },
  { code: 'TORGAMBA-A', ballot: 'DPRD_KAB', regionCodes: ['122203'] },
  { code: 'TORGAMBA-B', ballot: 'DPRD_KAB', regionCodes: ['1222032001', '1222032002'] },
  { code: 'PROV-6', ballot: 'DPRD_PROV', regionCodes: ['1207', '1222', '1223'] },
]);

describe('dapil index', () => {
  it('given a TPS, when its desa is listed by one dapil and its kecamatan by another, then the desa (nearest region) wins', () => {
    expect(index.dapilOf('DPRD_KAB', '1222032001004')).toBe('TORGAMBA-B');
    expect(index.dapilOf('DPRD_KAB', '1222032003001')).toBe('TORGAMBA-A');
    expect(index.dapilOf('DPRD_KAB', '1222011001001')).toBe('KAB-1');
    expect(index.dapilOf('DPRD_PROV', '1222011001001')).toBe('PROV-6');
  });

  it('given a region or a ballot no dapil lists, then there is no dapil', () => {
    expect(index.dapilOf('DPRD_KAB', '1222041001001')).toBeUndefined();
    expect(index.dapilOf('DPR', '1222011001001')).toBeUndefined();
  });

  it('a region spans dapils when its TPS vote in more than one: the kecamatan split in two, the kabupaten; not a kecamatan inside one', () => {
    expect(index.spans('DPRD_KAB', '122203')).toBe(true);
    expect(index.spans('DPRD_KAB', '1222')).toBe(true);
    expect(index.spans('DPRD_KAB', '12')).toBe(true);
    expect(index.spans('DPRD_KAB', '122201')).toBe(false);
    expect(index.spans('DPRD_KAB', '1222032001')).toBe(false);
    expect(index.spans('DPRD_PROV', '1222')).toBe(false);
    expect(index.spans('DPRD_PROV', '12')).toBe(false);
  });
});
