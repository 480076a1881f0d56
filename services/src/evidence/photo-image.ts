import { open } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { PhotoContentType } from '@suara/contracts';

/**
 * What suara does with the pixels of a C.Hasil photo, with sharp (libvips): prove an upload is a
 * JPEG, PNG or WebP by decoding it whole, make the thumbnail, and make a copy without metadata
 * (GPS, camera, time) with the EXIF orientation applied, which is what is served.
 */

// libvips' own cache keeps decoded images and open files of past operations: memory that grows with
// traffic, and handles on staged files that are deleted right after. Photos are each seen once.
sharp.cache(false);

/** Largest image decoded: 100 megapixels (a 108 MP phone's full-resolution photo is refused, 50 MP passes). */
export const MAX_PIXELS = 100_000_000;
/** Thumbnails are at most this wide (API.md) and as high as the sheet's proportions make them. */
export const THUMB_WIDTH = 480;

/** Not a decodable JPEG, PNG or WebP: `415 unsupported_media`. */
export class UnsupportedImageError extends Error {
  constructor(message: string, readonly tooManyPixels = false) {
    super(message);
    this.name = 'UnsupportedImageError';
  }
}

export interface EncodedImage {
  bytes: Buffer;
  contentType: PhotoContentType;
  width: number;
  height: number;
}

export interface InspectedPhoto {
  contentType: PhotoContentType;
  /** As displayed: EXIF orientation applied. */
  width: number;
  height: number;
  thumbnail: EncodedImage;
  /** The file carries metadata (EXIF, XMP, IPTC, comments) or a rotation: serve a clean copy instead. */
  needsCleanCopy: boolean;
}

const FORMATS: Record<string, PhotoContentType> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/**
 * The type the first bytes announce, or undefined. Only these three are ever handed to libvips, so
 * an SVG (with its scripts and external references), a PDF or a HEIF never reaches a parser; the
 * full decode that follows is what proves the rest of the file is that image.
 */
export function sniffImageType(head: Uint8Array): PhotoContentType | undefined {
  const at = (i: number, ...bytes: number[]) => bytes.every((b, k) => head[i + k] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return undefined;
}

async function headOf(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Decoding options: stop at truncated or corrupt data instead of filling it in grey. */
const decoding = (pages = 1) => ({ failOn: 'error' as const, limitInputPixels: MAX_PIXELS, sequentialRead: true, pages });

/** A thumbnail of an image: EXIF orientation applied, no metadata, JPEG. Decodes every byte of the input. */
export async function makeThumbnail(input: string | Buffer): Promise<EncodedImage> {
  const { data, info } = await sharp(input, decoding())
    .rotate()
    .resize({ width: THUMB_WIDTH, withoutEnlargement: true })
    .jpeg({ quality: 72 })
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, contentType: 'image/jpeg', width: info.width, height: info.height };
}

/**
 * Proves the file at `path` is a JPEG, PNG or WebP by decoding all of it (magic bytes alone are not
 * enough: a truncated JPEG or a JPEG header before HTML has them), and makes its thumbnail on the
 * way. Throws `UnsupportedImageError` for anything else.
 */
export async function inspectPhoto(path: string): Promise<InspectedPhoto> {
  const sniffed = sniffImageType(await headOf(path));
  if (!sniffed) throw new UnsupportedImageError('berkas bukan foto JPEG, PNG atau WebP');
  let metadata: Metadata;
  let thumbnail: EncodedImage;
  try {
    metadata = await sharp(path, decoding(-1)).metadata();
    if (FORMATS[metadata.format ?? ''] !== sniffed) throw new UnsupportedImageError(`isi berkas (${metadata.format}) tidak sesuai dengan jenisnya (${sniffed})`);
    if ((metadata.pages ?? 1) > 1) throw new UnsupportedImageError('gambar bergerak (animasi) bukan foto C.Hasil');
    thumbnail = await makeThumbnail(path);
  } catch (err) {
    if (err instanceof UnsupportedImageError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message)) throw new UnsupportedImageError(`gambar lebih dari ${MAX_PIXELS / 1_000_000} megapiksel`, true);
    throw new UnsupportedImageError(`foto tidak dapat dibaca utuh (rusak atau terpotong): ${message.split('\n')[0].slice(0, 200)}`);
  }
  const rotated = (metadata.orientation ?? 1) >= 5;
  const width = rotated ? metadata.height! : metadata.width!;
  const height = rotated ? metadata.width! : metadata.height!;
  return { contentType: sniffed, width, height, thumbnail, needsCleanCopy: carriesMetadata(metadata) };
}

/** EXIF, XMP, IPTC, text comments or a rotation still to apply: what the served copy must not carry. */
function carriesMetadata(m: Metadata): boolean {
  return !!(m.exif || m.xmp || m.iptc || (m.comments && m.comments.length > 0) || (m.orientation ?? 1) > 1);
}

/** Dimensions as stored, and whether these bytes carry metadata or a rotation (a photo whose check was not recorded). */
export async function describeImage(bytes: Buffer): Promise<{ width: number; height: number; needsCleanCopy: boolean }> {
  const m = await sharp(bytes, decoding()).metadata();
  return { width: m.width ?? 0, height: m.height ?? 0, needsCleanCopy: carriesMetadata(m) };
}

/**
 * The photo as served: EXIF orientation applied, every piece of metadata dropped (GPS, camera,
 * time, comments), same format. The original stays in the store, untouched, as the evidence.
 */
export async function makeCleanCopy(bytes: Buffer, contentType: PhotoContentType): Promise<EncodedImage> {
  const image = sharp(bytes, decoding()).rotate();
  const encoded =
    contentType === 'image/png' ? image.png() : contentType === 'image/webp' ? image.webp({ quality: 90 }) : image.jpeg({ quality: 90 });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { bytes: data, contentType, width: info.width, height: info.height };
}
