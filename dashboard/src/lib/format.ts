const integer = new Intl.NumberFormat('id-ID');
const percent = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const fmtInt = (n: number | null | undefined): string => (n == null ? '—' : integer.format(n));

/** A share in [0,1] as "45,23%". */
export const fmtPct = (share: number): string => `${percent.format(share * 100)}%`;

export const share = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

export function fmtTime(iso: string | Date | null | undefined): string {
  if (!iso) return '—';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleString('id-ID', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtClock(d: Date | null): string {
  return d ? d.toLocaleTimeString('id-ID', { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—';
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
