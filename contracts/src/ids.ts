import { z } from 'zod';
import { CODE_LENGTH, isTpsCode } from './region-codes';

import { BALLOTS } from './lists';

export { BALLOTS, PARTY_BALLOTS, isPartyBallot } from './lists';
export const Ballot = z.enum(BALLOTS);
export type Ballot = z.infer<typeof Ballot>;

export const REGION_LEVELS = ['provinsi', 'kabupaten', 'kecamatan', 'desa', 'kelurahan', 'tps'] as const;
export const RegionLevel = z.enum(REGION_LEVELS);
export type RegionLevel = z.infer<typeof RegionLevel>;

/** Strips the dots of a Kemendagri code ("12.22.01.1001" → "1222011001"), the way KPU writes it. */
export function normalizeCode(code: string): string {
  return code.replace(/\./g, '');
}

/** A region or TPS code as KPU writes it, dotted input accepted and normalised. */
export const RegionCode = z
  .string()
  .max(20)
  .regex(/^[0-9.]+$/, 'kode wilayah hanya angka (titik boleh)')
  .transform(normalizeCode)
  .refine((c) => Object.values(CODE_LENGTH).some((n) => n === c.length), 'panjang kode wilayah tidak dikenal');

/** A 13-digit TPS code: desa code (10 digits) + 3-digit TPS number. */
export const TpsCode = z
  .string()
  .max(20)
  .regex(/^[0-9.]+$/, 'kode TPS hanya angka')
  .transform(normalizeCode)
  .refine(isTpsCode, 'kode TPS harus 13 digit');
