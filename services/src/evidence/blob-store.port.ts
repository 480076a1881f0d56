import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Where photos of the C.Hasil sheets live: a content-addressed store, each blob named by the
 * lowercase hex SHA-256 of its bytes. Two adapters (local disk, S3-compatible object storage) pass
 * one contract suite (`blob-store.contract.ts`), like the event store's adapters.
 *
 * What a blob says is checked against its name on every read: `get` never returns bytes that do not
 * hash to the name asked for, and `put`/`putFile` never store bytes under a name they do not hash to.
 */
export interface BlobStore {
  readonly kind: 'disk' | 's3';
  /** Where callers stage incoming files before `putFile` (on the disk store: the same filesystem, so a rename). */
  readonly stagingDir: string;
  /** Stores small bytes (thumbnails, a restore). Idempotent: the same name twice is the same content. */
  put(sha256: string, bytes: Buffer, contentType: string): Promise<void>;
  /**
   * Moves a staged local file into the store under its SHA-256 (which the caller computed while the
   * file arrived; it is checked again here). The file at `path` is gone afterwards, stored or not.
   */
  putFile(sha256: string, path: string, contentType: string): Promise<void>;
  /** The blob's bytes, checked against its name: `BlobNotFoundError` or `BlobIntegrityError` otherwise. */
  get(sha256: string): Promise<Buffer>;
  /** Whether a blob of that name is stored (its content is not checked: `get` does that). */
  has(sha256: string): Promise<boolean>;
  close(): Promise<void>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export class BlobNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`blob ${sha256} is not in the store`);
    this.name = 'BlobNotFoundError';
  }
}

/** The stored bytes do not hash to the blob's name: altered or damaged, never to be served. */
export class BlobIntegrityError extends Error {
  constructor(readonly sha256: string, readonly actual: string, readonly where: string) {
    super(`blob ${sha256} is damaged or altered: its bytes hash to ${actual} (${where})`);
    this.name = 'BlobIntegrityError';
  }
}

export function sha256Of(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Refuses a name that is not a SHA-256 (it becomes a file path or an object key). */
export function assertSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 name: ${JSON.stringify(sha256).slice(0, 80)}`);
}

/** Throws unless `bytes` hash to `sha256`. */
export function assertContent(sha256: string, bytes: Buffer, where: string): void {
  const actual = sha256Of(bytes);
  if (actual !== sha256) throw new BlobIntegrityError(sha256, actual, where);
}

/** `ab/cd/abcd…`: two levels of 256 folders, so no folder holds millions of files. */
export function blobPath(sha256: string): string {
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}
