import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { renderSheetPhoto, type SheetPhotoOptions } from '../../services/src/simulator/sheet-photo';

/** Real image files made by the tests themselves (sharp from SVG text), and files that only pretend to be images. */
export const sheet = (over: Partial<SheetPhotoOptions> = {}) =>
  renderSheetPhoto({ title: 'C.HASIL PPWP', lines: ['Suara 01 ..... 120', 'Suara 02 ..... 88', 'Suara sah ..... 208'], width: 900, height: 1200, ...over });

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export const NOT_IMAGES = {
  pdf: () => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  svgWithScript: () =>
    Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="900" height="1200"><script>fetch("/api/me")</script><text x="10" y="20">C.HASIL</text></svg>'),
  truncatedJpeg: async () => {
    const full = await sheet({ noise: 12 });
    return full.subarray(0, Math.floor(full.length / 2));
  },
  polyglot: () =>
    Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.from('<html><body><script>alert(document.cookie)</script></body></html>')]),
};

/** 16 MB starting like a JPEG: refused for its size while it streams, before any decoding. */
export const sixteenMegabytes = () => {
  const bytes = Buffer.alloc(16 * 1024 * 1024, 0x5a);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  return bytes;
};

/** Every file under a blob folder, relative, staging included (a refused upload must leave none). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

/** `POST …/photos` with a hand-made multipart body (any field names and parts), answering status and JSON. */
export async function postPhotoForm(baseUrl: string, token: string, tpsCode: string, ballot: string, parts: Array<[string, string | Blob, string?]>) {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename ?? 'foto.jpg');
  }
  const res = await fetch(`${baseUrl}/api/results/${tpsCode}/${ballot}/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const blobOf = (bytes: Uint8Array, type = 'image/jpeg') => new Blob([new Uint8Array(bytes)], { type });
