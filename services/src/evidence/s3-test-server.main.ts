import { startS3TestServer } from './s3-test-server';

/**
 * s3rver in a process of its own (`node services/dist/evidence/s3-test-server.main.js`), so what it
 * costs is not charged to whoever starts it (the bench's load generator). Listens on `S3_TEST_PORT`
 * (0 = any free port), keeps objects in `S3_TEST_DIR` (default a temp folder), prints
 * `s3rver listening on <endpoint>` and runs until SIGTERM.
 */
async function main(): Promise<void> {
  const server = await startS3TestServer({ port: Number(process.env.S3_TEST_PORT ?? 0), directory: process.env.S3_TEST_DIR || undefined });
  process.stdout.write(`s3rver listening on ${server.endpoint}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
