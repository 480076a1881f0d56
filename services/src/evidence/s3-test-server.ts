import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What s3rver (3.7.1, no types of its own) is used for here. */
interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

export interface S3TestServer {
  endpoint: string;
  port: number;
  /** s3rver accepts exactly these credentials (it checks signatures). */
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Where s3rver keeps the objects (removed by `stop`). */
  directory: string;
  stop(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver: Koa, objects on disk, signatures checked) in this process on a
 * free port, for the S3 adapter's contract suite and the tests that run the service on S3. Nothing
 * to install by hand: s3rver is a dev dependency.
 */
export async function startS3TestServer(options: { port?: number; directory?: string } = {}): Promise<S3TestServer> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver') as S3rverClass;
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'suara-s3rver-'));
  const server = new S3rver({ port: options.port ?? 0, address: '127.0.0.1', silent: true, directory, vhostBuckets: false });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    directory,
    async stop() {
      server.httpServer?.closeAllConnections();
      await server.close();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The environment that points a suara process at this server. */
export function s3Env(server: S3TestServer, bucket: string): Record<string, string> {
  return {
    S3_ENDPOINT: server.endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: server.accessKeyId,
    S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    S3_REGION: server.region,
  };
}
