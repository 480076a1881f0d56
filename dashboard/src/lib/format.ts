const integer = new Intl.NumberFormat('id-ID');
const percent = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtInt = (n: number | null | undefined): string => (n == null ? '—' : integer.format(n));

/** A share in [0,1] as "45,23%". */
export const fmtPct = (share: number): string => `${percent.format(share * 100)}%`;

export const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/** Every time on screen is said one way, in the deployment's zone whatever the browser's: "19.42 WIB". */
const WIB = 'Asia/Jakarta';
const clockParts = new Intl.DateTimeFormat('id-ID', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: WIB });
const dayOf = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', timeZone: WIB });

const asDate = (t: string | Date | null | undefined): Date | null => {
  if (!t) return null;
  const d = typeof t === 'string' ? new Date(t) : t;
  return Number.isNaN(d.getTime()) ? null : d;
};

/** "19.42 WIB". */
export function fmtWib(t: string | Date | null | undefined): string {
  const d = asDate(t);
  if (!d) return '—';
  const parts = clockParts.formatToParts(d);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}.${part('minute')} WIB`;
}

/** "19.42 WIB" today (in WIB), "13 Feb 19.42 WIB" on another day. */
export function fmtTime(t: string | Date | null | undefined, now: Date = new Date()): string {
  const d = asDate(t);
  if (!d) return '—';
  const day = dayOf.format(d);
  return day === dayOf.format(now) ? fmtWib(d) : `${day} ${fmtWib(d)}`;
}

/** "TPS 004" from a 13-digit TPS code. */
export const tpsLabel = (code: string): string => `TPS ${code.slice(10)}`;

export const STATUS_NAMES: Record<string, string> = {
  empty: 'Belum masuk',
  submitted: 'Menunggu verifikasi',
  verified: 'Terverifikasi',
  corrected: 'Dikoreksi',
};

export const LEVEL_NAMES: Record<string, string> = {
  provinsi: 'Provinsi',
  kabupaten: 'Kabupaten',
  kecamatan: 'Kecamatan',
  desa: 'Desa',
  kelurahan: 'Kelurahan',
  tps: 'TPS',
};

/** The level word shown before a region name, unless the name already carries it ("Kabupaten Labuhanbatu Selatan"). */
export function levelPrefix(level: string, name: string): string {
  const word = LEVEL_NAMES[level] ?? '';
  return word && !name.toLowerCase().startsWith(word.toLowerCase()) ? word : '';
}
