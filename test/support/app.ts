import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SuaraClient, type Role } from '@suara/contracts';
import { createApp } from '../../services/src/app';
import { loadConfig, type AppConfig } from '../../services/src/config';
import { createPostgresTestDatabase } from '../../services/src/db/test-support/test-database';
import { TEST_METRICS_TOKEN } from './server';
import { checkResponses } from './openapi-responses';

export const ADMIN = { username: 'admin', password: 'admin-password-test' };

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  admin: SuaraClient;
  /** A logged-in client of a new user with that role (operators get `scope`). */
  userClient(role: Role, scope?: string[], username?: string): Promise<SuaraClient>;
  close(): Promise<void>;
}

export type Backend = 'pglite' | 'postgres';

/**
 * Boots the real application in this process on a free port: PGlite in a temp folder, or a fresh
 * database on TEST_DATABASE_URL's PostgreSQL. Nothing is mocked.
 */
export async function bootApp(backend: Backend, env: Record<string, string> = {}, beforeListen?: (app: NestFastifyApplication) => void): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'suara-app-'));
  const pg = backend === 'postgres' ? await createPostgresTestDatabase() : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    SUARA_ADMIN_USER: ADMIN.username,
    SUARA_ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    SUARA_SUBMIT_RATE_PER_MIN: '100000',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    // Suites fire thousands of requests from one token; the limits themselves are tested in limits.int.spec.ts.
    SUARA_READ_RATE_PER_MIN: '100000',
    SUARA_VALIDATE_RATE_PER_MIN: '100000',
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...env,
  });
  const app = await createApp(config);
  // Every answer of every suite must be as /api/openapi.json describes it; close() fails otherwise.
  const problems = new Set<string>();
  checkResponses(app, problems);
  beforeListen?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const admin = new SuaraClient(url);
  await admin.login(ADMIN.username, ADMIN.password);
  let n = 0;
  return {
    app, url, config, admin,
    async userClient(role, scope, username = `${role}${++n}x${Date.now().toString(36)}`) {
      const password = `Uji-Sandi-Kuat-${username}`;
      await admin.createUser({ username, password, role, scope });
      const client = new SuaraClient(url);
      await client.login(username, password);
      return client;
    },
    async close() {
      await app.close();
      if (pg) await pg.drop();
      rmSync(dataDir, { recursive: true, force: true });
      if (problems.size > 0) throw new Error(`answers not as /api/openapi.json describes them:\n${[...problems].join('\n')}`);
    },
  };
}

/** Backends every API suite runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set (always in CI). */
export function backends(): Backend[] {
  if (!process.env.TEST_DATABASE_URL && process.env.CI) throw new Error('CI=true needs TEST_DATABASE_URL');
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A consistent PPWP form with these votes. */
export function ppwpForm(votes: Record<string, number>, invalid = 3) {
  const valid = Object.values(votes).reduce((a, b) => a + b, 0);
  return { votes, valid, invalid, voters: { dpt: 280, voted: valid + invalid } };
}
