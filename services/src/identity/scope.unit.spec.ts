import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/api-error';
import { assertRegionInScope, assertTpsInScope, canAccessRegion, canAccessTps, filterTpsInScope } from './scope';

const desa = '1222011001';
const otherDesa = '1222011002';
const operatorOfDesa = { role: 'operator' as const, scope: [desa] };
const operatorOfTps = { role: 'operator' as const, scope: ['1222011002003'] };

describe('operator scope', () => {
  it('a desa scope covers every TPS of that desa and no other', () => {
    expect(canAccessTps(operatorOfDesa, `${desa}001`)).toBe(true);
    expect(canAccessTps(operatorOfDesa, `${desa}017`)).toBe(true);
    expect(canAccessTps(operatorOfDesa, `${otherDesa}001`)).toBe(false);
  });

  it('a TPS scope covers that TPS only', () => {
    expect(canAccessTps(operatorOfTps, '1222011002003')).toBe(true);
    expect(canAccessTps(operatorOfTps, '1222011002004')).toBe(false);
  });

  it('accepts dotted codes and refuses codes that are not TPS codes', () => {
    expect(canAccessTps(operatorOfDesa, '12.22.01.1001.001')).toBe(true);
    expect(canAccessTps(operatorOfDesa, desa)).toBe(false);
    expect(canAccessTps(operatorOfDesa, `${desa}0011`)).toBe(false);
  });

  it('regions: the desa itself and what is inside it, never its ancestors', () => {
    expect(canAccessRegion(operatorOfDesa, desa)).toBe(true);
    expect(canAccessRegion(operatorOfDesa, '12.22.01.1001')).toBe(true);
    expect(canAccessRegion(operatorOfDesa, `${desa}005`)).toBe(true);
    expect(canAccessRegion(operatorOfDesa, '122201')).toBe(false);
    expect(canAccessRegion(operatorOfDesa, '1222')).toBe(false);
    expect(canAccessRegion(operatorOfDesa, '12')).toBe(false);
    expect(canAccessRegion(operatorOfDesa, otherDesa)).toBe(false);
  });

  it('regions: a TPS-only scope opens that TPS but not its desa', () => {
    expect(canAccessRegion(operatorOfTps, '1222011002003')).toBe(true);
    expect(canAccessRegion(operatorOfTps, otherDesa)).toBe(false);
    expect(canAccessRegion(operatorOfTps, '1222011002001')).toBe(false);
  });

  it('an operator with an empty scope reaches nothing', () => {
    const none = { role: 'operator' as const, scope: [] };
    expect(canAccessTps(none, `${desa}001`)).toBe(false);
    expect(canAccessRegion(none, desa)).toBe(false);
  });

  it('other roles are not confined by scope', () => {
    for (const role of ['admin', 'verifier', 'official'] as const) {
      const user = { role, scope: [] };
      expect(canAccessTps(user, `${otherDesa}001`)).toBe(true);
      expect(canAccessRegion(user, '1222')).toBe(true);
    }
  });

  it('assert helpers throw 403 forbidden outside the scope', () => {
    expect(() => assertTpsInScope(operatorOfDesa, `${desa}001`)).not.toThrow();
    const err = (() => {
      try {
        assertTpsInScope(operatorOfDesa, `${otherDesa}001`);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).getStatus()).toBe(403);
    expect((err as ApiError).getResponse()).toMatchObject({ error: 'forbidden' });
    expect(() => assertRegionInScope(operatorOfDesa, '122201')).toThrow(ApiError);
  });

  it('filters TPS lists to the scope', () => {
    expect(filterTpsInScope(operatorOfDesa, [`${desa}001`, `${otherDesa}001`, `${desa}002`])).toEqual([`${desa}001`, `${desa}002`]);
  });
});
