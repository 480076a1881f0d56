import { CODE_LENGTH, desaOf, isDesaCode, isTpsCode, normalizeCode } from '@suara/contracts';
import { forbidden } from '../http/api-error';
import type { AuthUser } from './auth.decorators';

/**
 * Where an operator may act. An operator's scope lists desa codes (10 digits) and/or TPS codes
 * (13 digits). Other roles are not confined by scope (what they may do is a role check).
 */
type ScopedUser = Pick<AuthUser, 'role' | 'scope'>;

/** True when `user` may act on the TPS: it is in the scope, or its desa is. */
export function canAccessTps(user: ScopedUser, tpsCode: string): boolean {
  if (user.role !== 'operator') return true;
  const code = normalizeCode(tpsCode);
  if (!isTpsCode(code)) return false;
  return user.scope.includes(code) || user.scope.includes(desaOf(code));
}

/**
 * True when `user` may see the region: a desa in the scope, anything inside such a desa, or a TPS
 * in the scope. Ancestors (kecamatan, kabupaten, provinsi) are not open to operators, and neither is
 * the desa of a TPS-only scope (it would show the other TPS of that desa).
 */
export function canAccessRegion(user: ScopedUser, regionCode: string): boolean {
  if (user.role !== 'operator') return true;
  const code = normalizeCode(regionCode);
  if (isTpsCode(code)) return canAccessTps(user, code);
  if (code.length < CODE_LENGTH.desa) return false;
  return user.scope.some((s) => isDesaCode(s) && code.startsWith(s));
}

/** Throws 403 `forbidden` when the TPS is outside the user's scope. */
export function assertTpsInScope(user: ScopedUser, tpsCode: string): void {
  if (!canAccessTps(user, tpsCode)) throw forbidden('TPS ini di luar wilayah tugas Anda');
}

/** Throws 403 `forbidden` when the region is outside the user's scope. */
export function assertRegionInScope(user: ScopedUser, regionCode: string): void {
  if (!canAccessRegion(user, regionCode)) throw forbidden('Wilayah ini di luar wilayah tugas Anda');
}

/** Keeps the TPS codes the user may act on (for listing endpoints). */
export function filterTpsInScope<T extends string>(user: ScopedUser, tpsCodes: readonly T[]): T[] {
  return tpsCodes.filter((c) => canAccessTps(user, c));
}
