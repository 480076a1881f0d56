import { ancestorCodes, CODE_LENGTH, isTpsCode } from '@suara/contracts/region-codes';
import { client } from './api';

/** Names of regions seen so far, for breadcrumbs and queue labels (codes are all the API needs). */
export const regionNames = $state<Record<string, string>>({});
/** Their levels (a 10-digit code may be a desa or a kelurahan). */
const regionLevels = $state<Record<string, string>>({});

const inflight = new Map<string, Promise<void>>();

export function rememberNames(list: readonly { code: string; name: string; level?: string }[]): void {
  for (const r of list) {
    if (regionNames[r.code] !== r.name) regionNames[r.code] = r.name;
    if (r.level && regionLevels[r.code] !== r.level) regionLevels[r.code] = r.level;
  }
}

const SHORT_LEVEL: Record<string, string> = { provinsi: 'Prov.', kabupaten: 'Kab.', kota: 'Kota', kecamatan: 'Kec.', desa: 'Desa', kelurahan: 'Kel.' };
const LEVEL_BY_LENGTH: Record<number, string> = { 2: 'provinsi', 4: 'kabupaten', 6: 'kecamatan' };

/** A region as breadcrumbs say it: "Kab. Labuhanbatu Selatan", "Kec. Kotapinang", "Kel. Kotapinang". */
export function regionLabel(code: string, name = regionNames[code]): string {
  if (!name) return code;
  const level = regionLevels[code] ?? LEVEL_BY_LENGTH[code.length];
  const short = level ? SHORT_LEVEL[level] : undefined;
  if (!short || !level) return name;
  const long = new RegExp(`^${level}\\s+`, 'i');
  if (long.test(name)) return name.replace(long, `${short} `);
  return name.toLowerCase().startsWith(short.toLowerCase()) ? name : `${short} ${name}`;
}

/** Loads a region's name (and its children's) once; failures leave the code to be shown instead. */
export function ensureName(code: string): Promise<void> {
  if (regionNames[code] || isTpsCode(code)) return Promise.resolve();
  let p = inflight.get(code);
  if (!p) {
    p = client().region(code).then((r) => rememberNames([r, ...r.children])).catch(() => {});
    inflight.set(code, p);
  }
  return p;
}

/** The codes from the kabupaten down to `code` (exclusive), e.g. 1222 → 122201 → 1222011001. */
export function crumbsOf(code: string, rootLength = 4): string[] {
  return ancestorCodes(code).filter((c) => c.length >= Math.max(rootLength, CODE_LENGTH.kabupaten)).reverse();
}
