import { client } from './api';

/** Names of regions seen so far, for breadcrumbs and queue labels (codes are all the API needs). */
export const regionNames = $state<Record<string, string>>({});

const inflight = new Map<string, Promise<void>>();

export function rememberNames(list: readonly { code: string; name: string }[]): void {
  for (const r of list) if (regionNames[r.code] !== r.name) regionNames[r.code] = r.name;
}

/** Loads a region's name (and its children's) once; failures leave the code to be shown instead. */
export function ensureName(code: string): Promise<void> {
  if (regionNames[code] || code.length === 13) return Promise.resolve();
  let p = inflight.get(code);
  if (!p) {
    p = client().region(code).then((r) => rememberNames([r, ...r.children])).catch(() => {});
    inflight.set(code, p);
  }
  return p;
}

/** The codes from the kabupaten down to `code` (exclusive), e.g. 1222 → 122201 → 1222011001. */
export function crumbsOf(code: string, rootLength = 4): string[] {
  return [4, 6, 10].filter((n) => n >= rootLength && n < code.length).map((n) => code.slice(0, n));
}
