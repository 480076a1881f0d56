import { Logger } from '@nestjs/common';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openPglite } from './pglite.database';
import { openPostgres } from './postgres.database';
import type { SqlDatabase } from './sql';

/** PostgreSQL when `databaseUrl` is set, else embedded PGlite under `${dataDir}/pglite`. */
export async function openDatabase(cfg: { databaseUrl?: string; dataDir: string }): Promise<SqlDatabase> {
  if (cfg.databaseUrl) {
    const log = new Logger('database');
    return openPostgres(cfg.databaseUrl, { onPrimary: (url) => log.log(`writing to the primary at ${url}`) });
  }
  const dir = join(cfg.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openPglite(dir);
}
