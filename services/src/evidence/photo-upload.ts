import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
// Types of req.isMultipart() and req.parts(); the plugin itself is registered in app.ts.
import type {} from '@fastify/multipart';
import { ApiError } from '../http/api-error';

/** Largest photo accepted (API.md): 15 MB, enforced while the bytes arrive. */
export const MAX_PHOTO_BYTES = 15 * 1024 * 1024;
/** Room for the multipart envelope and the `page` field around the file. */
const ENVELOPE_BYTES = 64 * 1024;
/** Pages of a C.Hasil set a photo may name. */
export const MAX_PAGE = 50;

/** A photo received into the staging folder, hashed on the way in. */
export interface StagedPhoto {
  path: string;
  sha256: string;
  bytes: number;
  page: number | null;
}

export const tooLarge = () =>
  new ApiError(413, 'payload_too_large', `Foto lebih dari ${MAX_PHOTO_BYTES / 1024 / 1024} MB; kecilkan ukurannya lalu kirim lagi`);
const badForm = (path: string, message: string) => new ApiError(400, 'invalid_input', message, [{ path, message }]);

/** The multipart parser's limit errors, as the API's answers. */
function fromMultipartError(err: unknown): unknown {
  const code = (err as { code?: string })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge();
  if (code === 'FST_FILES_LIMIT') return badForm('photo', 'kirim satu foto per permintaan');
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return badForm('(body)', 'terlalu banyak isian; kirim hanya photo dan page');
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return new ApiError(415, 'unsupported_media', 'Kirim foto sebagai multipart/form-data dengan field photo');
  if (code === 'FST_PROTO_VIOLATION') return badForm('(body)', 'nama isian tidak sah');
  if (err instanceof Error && /multipart|Unexpected end of form|Malformed part header/i.test(err.message)) {
    return badForm('(body)', 'isi multipart/form-data rusak atau terpotong');
  }
  return err;
}

function parsePage(value: unknown): number {
  const text = String(value ?? '').trim();
  const page = Number(text);
  if (!/^[0-9]{1,3}$/.test(text) || page < 1 || page > MAX_PAGE) throw badForm('page', `halaman harus bilangan bulat 1–${MAX_PAGE}`);
  return page;
}

/**
 * Reads a `multipart/form-data` upload (one file field `photo`, optional field `page`, in either
 * order) into a new file under `stagingDir`, hashing it as it streams: the body is never held in
 * memory, and the 15 MB cap is enforced while the bytes arrive (a larger file stops being written
 * at the cap and ends in 413). On any failure the staged file is removed.
 */
export async function receivePhoto(req: FastifyRequest, stagingDir: string): Promise<StagedPhoto> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_PHOTO_BYTES + ENVELOPE_BYTES) throw tooLarge();
  if (!req.isMultipart()) throw new ApiError(415, 'unsupported_media', 'Kirim foto sebagai multipart/form-data dengan field photo');
  const path = join(stagingDir, `${randomUUID()}.upload`);
  let staged: Omit<StagedPhoto, 'page'> | undefined;
  let page: number | null = null;
  try {
    const parts = req.parts({ limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 2, parts: 3, fieldSize: 64, headerPairs: 32 } });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.fieldname !== 'page') throw badForm(part.fieldname, 'isian tidak dikenal; kirim hanya photo dan page');
        page = parsePage(part.value);
        continue;
      }
      if (part.fieldname !== 'photo') {
        part.file.resume();
        throw badForm(part.fieldname, 'foto harus dikirim dalam field photo');
      }
      staged = await stream(part.file, path);
    }
  } catch (err) {
    await rm(path, { force: true });
    throw fromMultipartError(err);
  }
  if (!staged) throw badForm('photo', 'foto wajib dikirim (field photo)');
  return { ...staged, page };
}

/** Writes the file part to `path`, hashing and counting it; 413 when the parser cut it at the cap. */
async function stream(file: Readable & { truncated?: boolean }, path: string): Promise<Omit<StagedPhoto, 'page'>> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    file,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path, { flags: 'wx' }),
  );
  if (file.truncated) throw tooLarge();
  return { path, sha256: hash.digest('hex'), bytes };
}
