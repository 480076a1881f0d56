import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { blobStoreContract } from './test-support/blob-store.contract';
import { blobPath, sha256Of } from './blob-store.port';
import { freePort } from '../bench/server-process';
import { S3BlobStore } from './s3.blob-store';
import { startS3TestServer, type S3TestServer } from './s3-test-server';

const open = (server: S3TestServer, bucket: string, stagingDir: string) =>
  S3BlobStore.open({
    endpoint: server.endpoint, bucket, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey,
    region: server.region, forcePathStyle: true, stagingDir,
  });

// Against s3rver, a real S3-protocol server (signatures checked, objects on disk) started right here.
blobStoreContract('S3 (s3rver)', async () => {
  const server = await startS3TestServer();
  const staging = mkdtempSync(join(tmpdir(), 'suara-s3-staging-'));
  const bucket = `suara-${randomBytes(4).toString('hex')}`;
  const store = await open(server, bucket, staging);
  const raw = new S3Client({
    endpoint: server.endpoint, region: server.region, forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return {
    store,
    async tamper(sha256, bytes) {
      await raw.send(new PutObjectCommand({ Bucket: bucket, Key: blobPath(sha256), Body: bytes }));
    },
    async teardown() {
      raw.destroy();
      await store.close();
      await server.stop();
      rmSync(staging, { recursive: true, force: true });
    },
  };
});

describe('S3 blob store start-up', () => {
  it('creates its bucket when missing and finds it on the next start', async () => {
    const server = await startS3TestServer();
    const staging = mkdtempSync(join(tmpdir(), 'suara-s3-staging-'));
    try {
      const first = await open(server, 'suara-baru', staging);
      const bytes = Buffer.from('C.Hasil');
      await first.put(sha256Of(bytes), bytes, 'image/jpeg');
      await first.close();
      const second = await open(server, 'suara-baru', staging);
      expect((await second.get(sha256Of(bytes))).toString()).toBe('C.Hasil');
      await second.close();
    } finally {
      await server.stop();
      rmSync(staging, { recursive: true, force: true });
    }
  });

  it('refuses to start when the server cannot be reached (a clear error, not a silent fallback to disk)', async () => {
    const staging = mkdtempSync(join(tmpdir(), 'suara-s3-staging-'));
    try {
      await expect(
        S3BlobStore.open({ endpoint: `http://127.0.0.1:${await freePort()}`, bucket: 'suara-x', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1', forcePathStyle: true, stagingDir: staging }),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
});
