import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { loadConfig } from './config';
import { describeBlobStore } from './evidence/blob-store.factory';

/** Nest closes everything on SIGTERM/SIGINT; should that hang, the process still ends. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main() {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref());
  }
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  // The port bound, not the one asked for: PORT=0 lets the kernel choose (tests and the bench start
  // many servers at once and read the port from this line, so none can take another's).
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(
    `suara listening on http://localhost:${port} (${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`}, roles ${config.roles.join(',')}, photos on ${describeBlobStore(config)})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
