import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobIntegrityError, BlobNotFoundError, sha256Of, type BlobStore } from '../blob-store.port';

export interface BlobStoreFixture {
  store: BlobStore;
  /** Overwrites the stored bytes of a blob behind the store's back (an attacker, a failing disk). */
  tamper(sha256: string, bytes: Buffer): Promise<void>;
  teardown(): Promise<void>;
}

const blob = (size = 4096) => {
  const bytes = randomBytes(size);
  return { bytes, sha256: sha256Of(bytes) };
};

/** Writes `bytes` to a new file in the store's staging folder, as the upload route does. */
function staged(store: BlobStore, bytes: Buffer): string {
  const path = join(store.stagingDir, `contract-${randomBytes(6).toString('hex')}.part`);
  writeFileSync(path, bytes);
  return path;
}

/** The one suite every BlobStore adapter must pass (disk always, S3 against a real S3-protocol server). */
export function blobStoreContract(name: string, open: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let f: BlobStoreFixture;
    beforeAll(async () => {
      f = await open();
    });
    afterAll(async () => f?.teardown());

    it('stores bytes under their SHA-256 and gives back exactly those bytes', async () => {
      const b = blob();
      expect(await f.store.has(b.sha256)).toBe(false);
      await f.store.put(b.sha256, b.bytes, 'image/jpeg');
      expect(await f.store.has(b.sha256)).toBe(true);
      expect((await f.store.get(b.sha256)).equals(b.bytes)).toBe(true);
    });

    it('an unknown name is BlobNotFoundError', async () => {
      const b = blob();
      await expect(f.store.get(b.sha256)).rejects.toBeInstanceOf(BlobNotFoundError);
    });

    it('refuses bytes under a name they do not hash to, and stores nothing', async () => {
      const b = blob();
      const other = blob();
      await expect(f.store.put(other.sha256, b.bytes, 'image/jpeg')).rejects.toBeInstanceOf(BlobIntegrityError);
      expect(await f.store.has(other.sha256)).toBe(false);
    });

    it('refuses names that are not a SHA-256 (no path or key tricks)', async () => {
      for (const bad of ['../../etc/passwd', 'A'.repeat(64), '', 'ab/cd', `${'a'.repeat(63)}/`]) {
        await expect(f.store.put(bad, Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/SHA-256|hash/);
        await expect(f.store.get(bad)).rejects.toThrow(/SHA-256/);
      }
    });

    it('putFile moves a staged file in (the staged file is gone) and streams a 15 MB photo through', async () => {
      const b = blob(15 * 1024 * 1024);
      const path = staged(f.store, b.bytes);
      await f.store.putFile(b.sha256, path, 'image/jpeg');
      expect(existsSync(path)).toBe(false);
      expect((await f.store.get(b.sha256)).equals(b.bytes)).toBe(true);
    });

    it('putFile refuses a staged file whose hash is not its name, removes it and stores nothing', async () => {
      const b = blob();
      const wrong = blob().sha256;
      const path = staged(f.store, b.bytes);
      await expect(f.store.putFile(wrong, path, 'image/jpeg')).rejects.toBeInstanceOf(BlobIntegrityError);
      expect(existsSync(path)).toBe(false);
      expect(await f.store.has(wrong)).toBe(false);
    });

    it('the same blob stored twice, even at once, is one intact blob', async () => {
      const b = blob(256 * 1024);
      await Promise.all([
        f.store.put(b.sha256, b.bytes, 'image/png'),
        f.store.putFile(b.sha256, staged(f.store, b.bytes), 'image/png'),
        f.store.put(b.sha256, b.bytes, 'image/png'),
      ]);
      expect((await f.store.get(b.sha256)).equals(b.bytes)).toBe(true);
    });

    it('never gives back a blob altered in storage: BlobIntegrityError naming the hash found', async () => {
      const b = blob();
      await f.store.put(b.sha256, b.bytes, 'image/jpeg');
      const altered = Buffer.from(b.bytes);
      altered[100] ^= 0xff;
      await f.tamper(b.sha256, altered);
      const err = await f.store.get(b.sha256).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlobIntegrityError);
      expect((err as BlobIntegrityError).actual).toBe(sha256Of(altered));
      expect(await f.store.has(b.sha256)).toBe(true);
    });

    it('storing the right bytes again repairs an altered blob', async () => {
      const b = blob();
      await f.store.put(b.sha256, b.bytes, 'image/jpeg');
      await f.tamper(b.sha256, Buffer.from('not the photo'));
      await expect(f.store.get(b.sha256)).rejects.toBeInstanceOf(BlobIntegrityError);
      await f.store.putFile(b.sha256, staged(f.store, b.bytes), 'image/jpeg');
      expect((await f.store.get(b.sha256)).equals(b.bytes)).toBe(true);
    });
  });
}
