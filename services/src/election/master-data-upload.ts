import { basename } from 'node:path';
import type { FastifyRequest } from 'fastify';
// Types of req.isMultipart() and req.parts(); the plugin itself is registered in app.ts.
import type {} from '@fastify/multipart';
import { MASTER_DATA_FILES, type MasterDataFile } from '@suara/contracts';
import { ApiError } from '../http/api-error';
import type { MasterDataFiles } from './master-data';

/** Largest file of a master-data folder: a kabupaten's TPS list or DCT is well under 1 MB. */
export const MAX_MASTER_DATA_FILE_BYTES = 4 * 1024 * 1024;

const badUpload = (path: string, message: string) => new ApiError(400, 'invalid_input', message, [{ path, message }]);
const unsupported = () => new ApiError(415, 'unsupported_media', 'Kirim berkas data induk sebagai multipart/form-data, satu bagian per berkas');

/**
 * Reads the files of a master-data folder from a `multipart/form-data` upload: one file part per
 * file, named by its file name (the part's name, else the file's own name, so a plain
 * `<input type="file" multiple>` works). At most the seven files of a folder, each at most 4 MB;
 * anything else is refused before it is read whole.
 */
export async function receiveMasterDataFiles(req: FastifyRequest): Promise<MasterDataFiles> {
  if (!req.isMultipart()) throw unsupported();
  const files: MasterDataFiles = {};
  try {
    const parts = req.parts({
      limits: { fileSize: MAX_MASTER_DATA_FILE_BYTES, files: MASTER_DATA_FILES.length, fields: 0, parts: MASTER_DATA_FILES.length, headerPairs: 32 },
    });
    for await (const part of parts) {
      if (part.type === 'field') throw badUpload(part.fieldname, 'hanya berkas yang diterima');
      const name = (MASTER_DATA_FILES as readonly string[]).includes(part.fieldname) ? part.fieldname : basename(part.filename ?? '');
      if (!(MASTER_DATA_FILES as readonly string[]).includes(name)) {
        part.file.resume();
        throw badUpload(part.fieldname, `berkas "${name}" bukan bagian data induk (${MASTER_DATA_FILES.join(', ')})`);
      }
      const bytes = await part.toBuffer();
      if (files[name as MasterDataFile] !== undefined) throw badUpload(name, `${name} dikirim dua kali`);
      files[name as MasterDataFile] = bytes.toString('utf8');
    }
  } catch (err) {
    throw fromMultipartError(err);
  }
  return files;
}

function fromMultipartError(err: unknown): unknown {
  const code = (err as { code?: string })?.code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new ApiError(413, 'payload_too_large', `Satu berkas lebih dari ${MAX_MASTER_DATA_FILE_BYTES / 1024 / 1024} MB`);
  if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
    return badUpload('(body)', `paling banyak ${MASTER_DATA_FILES.length} berkas: ${MASTER_DATA_FILES.join(', ')}`);
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return unsupported();
  if (err instanceof Error && !(err instanceof ApiError) && /multipart|Unexpected end of form|Malformed part header/i.test(err.message)) {
    return badUpload('(body)', 'isi multipart/form-data rusak atau terpotong');
  }
  return err;
}
