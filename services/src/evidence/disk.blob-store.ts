import { randomUUID } from 'node:crypto';
import { access, copyFile, mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  assertContent, assertSha256, BlobIntegrityError, BlobNotFoundError, blobPath, sha256OfFile, type BlobStore,
} from './blob-store.port';

const isCode = (err: unknown, code: string) => (err as NodeJS.ErrnoException)?.code === code;

/**
 * Blobs as files under `dir` (`BLOB_DIR`, default `DATA_DIR/blobs`): `dir/ab/cd/<sha256>`, read-only.
 * Every write goes to a file in `dir/.staging`, is fsynced, renamed into place (atomic: a reader sees
 * the old file or the whole new one, never half) and the folder is fsynced, so a blob a caller was
 * told is stored survives a power cut. Writing a name that exists replaces it with the same, checked
 * content, which is how a damaged blob is repaired by uploading the photo again.
 */
export class DiskBlobStore implements BlobStore {
  readonly kind = 'disk' as const;
  readonly stagingDir: string;

  private constructor(readonly dir: string) {
    this.stagingDir = join(dir, '.staging');
  }

  /** `readOnly`: only reads (a backup's folder on a read-only mount); nothing is created. */
  static async open(dir: string, options: { readOnly?: boolean } = {}): Promise<DiskBlobStore> {
    const store = new DiskBlobStore(dir);
    if (!options.readOnly) await mkdir(store.stagingDir, { recursive: true });
    return store;
  }

  /** The file of a blob (for operators and tests: a backup copies these folders). */
  pathOf(sha256: string): string {
    assertSha256(sha256);
    return join(this.dir, blobPath(sha256));
  }

  async put(sha256: string, bytes: Buffer, _contentType?: string): Promise<void> {
    const target = this.pathOf(sha256);
    assertContent(sha256, bytes, 'put');
    const staged = join(this.stagingDir, `${randomUUID()}.part`);
    const handle = await open(staged, 'wx', 0o444);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.moveIntoPlace(staged, target);
  }

  async putFile(sha256: string, path: string, _contentType?: string): Promise<void> {
    try {
      const target = this.pathOf(sha256);
      const actual = await sha256OfFile(path);
      if (actual !== sha256) throw new BlobIntegrityError(sha256, actual, `staged file ${path}`);
      const handle = await open(path, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.moveIntoPlace(path, target);
    } finally {
      await rm(path, { force: true });
    }
  }

  async get(sha256: string): Promise<Buffer> {
    const path = this.pathOf(sha256);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if (isCode(err, 'ENOENT')) throw new BlobNotFoundError(sha256);
      throw err;
    }
    assertContent(sha256, bytes, path);
    return bytes;
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await access(this.pathOf(sha256));
      return true;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async close(): Promise<void> {}

  /** rename + fsync of the folder; a staged file on another filesystem is copied and fsynced first. */
  private async moveIntoPlace(staged: string, target: string): Promise<void> {
    const folder = dirname(target);
    await mkdir(folder, { recursive: true });
    try {
      await rename(staged, target);
    } catch (err) {
      if (!isCode(err, 'EXDEV')) throw err;
      const copy = join(this.stagingDir, `${randomUUID()}.part`);
      await copyFile(staged, copy);
      await fsyncPath(copy);
      await rename(copy, target);
      await unlink(staged);
    }
    await fsyncPath(folder);
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
