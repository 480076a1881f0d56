import { join } from 'node:path';
import type { AppConfig } from '../config';
import type { BlobStore } from './blob-store.port';
import { DiskBlobStore } from './disk.blob-store';
import { S3BlobStore } from './s3.blob-store';

/** Nest injection token of the process's BlobStore. */
export const BLOB_STORE = Symbol('BLOB_STORE');

/** S3-compatible storage when `S3_*` is set, else the disk under `BLOB_DIR` (default `DATA_DIR/blobs`). */
export function openBlobStore(config: Pick<AppConfig, 's3' | 'blobDir' | 'dataDir'>): Promise<BlobStore> {
  if (config.s3) return S3BlobStore.open({ ...config.s3, stagingDir: join(config.dataDir, 'staging') });
  return DiskBlobStore.open(config.blobDir);
}

/** Where the photos are, for start-up lines and /health. */
export function describeBlobStore(config: Pick<AppConfig, 's3' | 'blobDir'>): string {
  return config.s3 ? `S3 ${config.s3.endpoint}/${config.s3.bucket}` : `disk ${config.blobDir}`;
}
