import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobStoreContract } from './test-support/blob-store.contract';
import { sha256Of } from './blob-store.port';
import { DiskBlobStore } from './disk.blob-store';

blobStoreContract('disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'suara-blobs-'));
  const store = await DiskBlobStore.open(dir);
  return {
    store,
    async tamper(sha256, bytes) {
      const path = store.pathOf(sha256);
      chmodSync(path, 0o644);
      writeFileSync(path, bytes);
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('disk blob store layout', () => {
  it('keeps blobs read-only under ab/cd/<sha256> and leaves nothing in staging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suara-blobs-'));
    try {
      const store = await DiskBlobStore.open(dir);
      const bytes = Buffer.from('foto C.Hasil');
      const sha = sha256Of(bytes);
      await store.put(sha, bytes, 'image/jpeg');
      expect(store.pathOf(sha)).toBe(join(dir, sha.slice(0, 2), sha.slice(2, 4), sha));
      expect(readdirSync(join(dir, '.staging'))).toEqual([]);
      expect(statSync(store.pathOf(sha)).mode & 0o777).toBe(0o444);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
