import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSheetPhoto } from '../simulator/sheet-photo';
import { inspectPhoto, makeCleanCopy, sniffImageType, THUMB_WIDTH, UnsupportedImageError } from './photo-image';

const dir = mkdtempSync(join(tmpdir(), 'suara-photo-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (bytes: Buffer) => {
  const path = join(dir, `f${++n}`);
  writeFileSync(path, bytes);
  return path;
};
const sheet = (over: Parameters<typeof renderSheetPhoto>[0] extends infer O ? Partial<O> : never = {}) =>
  renderSheetPhoto({ title: 'C.HASIL PPWP', lines: ['Suara 01 ..... 120', 'Suara 02 ..... 88'], width: 900, height: 1200, ...over });

describe('inspectPhoto: what counts as a photo', () => {
  it.each(['jpeg', 'png', 'webp'] as const)('accepts a real %s, with its dimensions and a thumbnail at most 480 px wide', async (format) => {
    const photo = await inspectPhoto(file(await sheet({ format })));
    expect(photo).toMatchObject({ contentType: `image/${format}`, width: 900, height: 1200, needsCleanCopy: false });
    expect(photo.thumbnail).toMatchObject({ contentType: 'image/jpeg', width: THUMB_WIDTH, height: 640 });
    expect((await sharp(photo.thumbnail.bytes).metadata()).format).toBe('jpeg');
  });

  it('applies the EXIF orientation to the dimensions and the thumbnail, and says the served copy must be clean', async () => {
    const bytes = await sheet({ width: 1200, height: 900, exif: { orientation: 6, gps: true } });
    const photo = await inspectPhoto(file(bytes));
    expect(photo).toMatchObject({ width: 900, height: 1200, needsCleanCopy: true });
    expect(photo.thumbnail).toMatchObject({ width: 480, height: 640 });
    const thumbMeta = await sharp(photo.thumbnail.bytes).metadata();
    expect(thumbMeta.exif).toBeUndefined();
  });

  it('refuses a truncated JPEG (magic bytes right, data cut off)', async () => {
    const bytes = await sheet({ noise: 10 });
    await expect(inspectPhoto(file(bytes.subarray(0, Math.floor(bytes.length * 0.6))))).rejects.toBeInstanceOf(UnsupportedImageError);
  });

  it('refuses a polyglot: a JPEG header followed by HTML', async () => {
    const polyglot = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0<html><script>alert(1)</script></html>')]);
    await expect(inspectPhoto(file(polyglot))).rejects.toBeInstanceOf(UnsupportedImageError);
  });

  it('refuses an SVG (even one sharp could render), a PDF, a GIF and an empty file without parsing them', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF');
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).gif().toBuffer();
    for (const bytes of [svg, pdf, gif, Buffer.alloc(0)]) await expect(inspectPhoto(file(bytes))).rejects.toBeInstanceOf(UnsupportedImageError);
    expect(sniffImageType(svg)).toBeUndefined();
  });

  it('refuses a PNG whose content is a JPEG under a PNG header (type and content must agree)', async () => {
    const jpeg = await sheet();
    const lying = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), jpeg]);
    await expect(inspectPhoto(file(lying))).rejects.toBeInstanceOf(UnsupportedImageError);
  });
});

describe('makeCleanCopy: what is served', () => {
  it('drops EXIF (GPS, camera) and applies the orientation, keeping the format', async () => {
    const bytes = await sheet({ width: 1200, height: 900, exif: { orientation: 6, gps: true } });
    expect(bytes.includes(Buffer.from('SimulasiPhone'))).toBe(true);
    const clean = await makeCleanCopy(bytes, 'image/jpeg');
    const meta = await sharp(clean.bytes).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 900, height: 1200 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(clean.bytes.includes(Buffer.from('SimulasiPhone'))).toBe(false);
  });
});
