import type { Role } from '@suara/contracts';
import type { FlagCode } from '@suara/contracts/flags';

/** Screens of the app, addressed by the URL hash (`#/rekap/1222/PPWP`). */
export type Route =
  | { name: 'login' }
  | { name: 'rekap'; region?: string; ballot?: string }
  | { name: 'tps'; tps: string; ballot: string }
  | { name: 'verifikasi'; ballot?: string; filter?: QueueFilter }
  | { name: 'operator' }
  | { name: 'formulir'; tps: string; ballot: string }
  | { name: 'segel' }
  | { name: 'admin'; tab: AdminTab };

/** The verifier queue's filters, kept in the URL (`#/verifikasi/PPWP?kec=122203&tanda=high_invalid&foto=tidak`) so a reload keeps them. */
export interface QueueFilter { kecamatan?: string; flag?: FlagCode; withoutPhoto?: boolean }

function parseQueueFilter(query: string): QueueFilter | undefined {
  const q = new URLSearchParams(query);
  const filter: QueueFilter = {
    ...(q.get('kec') ? { kecamatan: q.get('kec')! } : {}),
    // As typed in the URL: the server checks it and names `flag` in its 400.
    ...(q.get('tanda') ? { flag: q.get('tanda') as FlagCode } : {}),
    ...(q.get('foto') === 'tidak' ? { withoutPhoto: true } : {}),
  };
  return Object.keys(filter).length ? filter : undefined;
}

function queueFilterQuery(f: QueueFilter | undefined): string {
  const q = new URLSearchParams();
  if (f?.kecamatan) q.set('kec', f.kecamatan);
  if (f?.flag) q.set('tanda', f.flag);
  if (f?.withoutPhoto) q.set('foto', 'tidak');
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The admin screens' tabs (`#/admin/pengguna`, …). */
export const ADMIN_TABS = ['pengguna', 'fase', 'sampel', 'audit'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export function parseHash(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const [name, ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (name) {
    case 'rekap': return { name, region: rest[0], ballot: rest[1] };
    case 'tps': return rest.length >= 2 ? { name, tps: rest[0], ballot: rest[1] } : { name: 'rekap' };
    case 'verifikasi': { const filter = parseQueueFilter(query); return { name, ballot: rest[0], ...(filter ? { filter } : {}) }; }
    case 'operator': return rest.length >= 2 ? { name: 'formulir', tps: rest[0], ballot: rest[1] } : { name };
    case 'masuk': return { name: 'login' };
    case 'segel': return { name };
    case 'admin': return { name, tab: (ADMIN_TABS as readonly string[]).includes(rest[0]) ? (rest[0] as AdminTab) : 'pengguna' };
    default: return { name: 'rekap' };
  }
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'login': return '#/masuk';
    case 'rekap': return `#/rekap${route.region ? `/${route.region}` : ''}${route.region && route.ballot ? `/${route.ballot}` : ''}`;
    case 'tps': return `#/tps/${route.tps}/${route.ballot}`;
    case 'verifikasi': return `#/verifikasi${route.ballot ? `/${route.ballot}` : ''}${queueFilterQuery(route.filter)}`;
    case 'operator': return '#/operator';
    case 'formulir': return `#/operator/${route.tps}/${route.ballot}`;
    case 'segel': return '#/segel';
    case 'admin': return `#/admin/${route.tab}`;
  }
}

export const router = $state<{ route: Route }>({ route: parseHash(location.hash) });

const navigationListeners = new Set<() => void>();

/**
 * Runs `fn` when the user navigates (link, back button, typed URL) — before the new route applies,
 * so a redirect decided for the new route is not undone by it.
 */
export function onUserNavigation(fn: () => void): () => void {
  navigationListeners.add(fn);
  return () => navigationListeners.delete(fn);
}

window.addEventListener('hashchange', () => {
  for (const fn of navigationListeners) fn();
  router.route = parseHash(location.hash);
});

export function go(route: Route, replace = false): void {
  const href = hrefOf(route);
  if (replace) history.replaceState(null, '', href);
  else if (location.hash !== href) history.pushState(null, '', href);
  router.route = parseHash(href);
}

/** Which screens a role may open. Operators never see recaps, not even of their own desa. */
export function allowed(role: Role, route: Route): boolean {
  switch (route.name) {
    case 'login': return true;
    case 'rekap':
    case 'tps': return role !== 'operator';
    case 'verifikasi': return role === 'verifier';
    case 'operator':
    case 'formulir': return role === 'operator';
    case 'segel': return role !== 'operator';
    case 'admin': return role === 'admin';
  }
}

export function homeOf(role: Role): Route {
  if (role === 'operator') return { name: 'operator' };
  if (role === 'verifier') return { name: 'verifikasi' };
  return { name: 'rekap' };
}

export function deniedMessage(role: Role, route: Route): string {
  if (role === 'operator') return 'Operator tidak dapat membuka rekapitulasi. Anda diarahkan ke formulir TPS Anda.';
  if (route.name === 'verifikasi') return 'Antrean verifikasi hanya untuk verifikator.';
  if (route.name === 'admin') return 'Halaman administrasi hanya untuk admin.';
  return 'Formulir TPS hanya untuk operator desa.';
}
