import type { S3Config } from '../config';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import {
  CreateBucketCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  assertContent, assertSha256, BlobIntegrityError, BlobNotFoundError, blobPath, sha256OfFile, type BlobStore,
} from './blob-store.port';

/** The deployment's S3 settings (`S3_*`), and where files wait before they are sent. */
export interface S3BlobStoreOptions extends S3Config {
  /** A local folder for incoming files before they are sent (`DATA_DIR/staging`). */
  stagingDir: string;
}

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404);

/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph…), key `ab/cd/<sha256>`.
 * A PUT is atomic (an object is there whole or not at all) and rewriting a name with the same,
 * checked content is harmless. Checksums are computed only when the operation requires them: many
 * S3-compatible servers refuse the SDK's default streaming checksums; we check every read ourselves.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly stagingDir: string;

  private constructor(private readonly client: S3Client, private readonly bucket: string, stagingDir: string) {
    this.stagingDir = stagingDir;
  }

  /** Connects and creates the bucket when it does not exist yet (a fresh MinIO, a test server). */
  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await mkdir(options.stagingDir, { recursive: true });
    const store = new S3BlobStore(client, options.bucket, options.stagingDir);
    try {
      await store.ensureBucket();
    } catch (err) {
      client.destroy();
      throw err;
    }
    return store;
  }

  async put(sha256: string, bytes: Buffer, contentType: string): Promise<void> {
    assertSha256(sha256);
    assertContent(sha256, bytes, 'put');
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: blobPath(sha256), Body: bytes, ContentType: contentType, ContentLength: bytes.length,
      ChecksumSHA256: base64Of(sha256),
    }));
  }

  async putFile(sha256: string, path: string, contentType: string): Promise<void> {
    try {
      assertSha256(sha256);
      const actual = await sha256OfFile(path);
      if (actual !== sha256) throw new BlobIntegrityError(sha256, actual, `staged file ${path}`);
      const { size } = await stat(path);
      // Streamed from the file: a 15 MB photo never sits in memory on its way out.
      await this.client.send(new PutObjectCommand({
        Bucket: this.bucket, Key: blobPath(sha256), Body: createReadStream(path), ContentType: contentType, ContentLength: size,
        ChecksumSHA256: base64Of(sha256),
      }));
    } finally {
      await rm(path, { force: true });
    }
  }

  async get(sha256: string): Promise<Buffer> {
    assertSha256(sha256);
    const key = blobPath(sha256);
    let bytes: Buffer;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      bytes = Buffer.from(await answer.Body!.transformToByteArray());
    } catch (err) {
      if (notFound(err)) throw new BlobNotFoundError(sha256);
      throw err;
    }
    assertContent(sha256, bytes, `s3://${this.bucket}/${key}`);
    return bytes;
  }

  async has(sha256: string): Promise<boolean> {
    assertSha256(sha256);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: blobPath(sha256) }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (!notFound(err)) throw err;
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }
}

/** The x-amz-checksum-sha256 header wants the digest in base64: the server refuses a body that does not match. */
const base64Of = (sha256: string) => Buffer.from(sha256, 'hex').toString('base64');
