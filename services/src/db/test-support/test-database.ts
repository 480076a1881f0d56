import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, type Migration } from '../migration';
import { openPglite } from '../pglite.database';
import { openPostgres } from '../postgres.database';
import type { SqlDatabase } from '../sql';

/**
 * The PostgreSQL server tests may use, from TEST_DATABASE_URL. Undefined locally when unset;
 * throws when CI=true and it is unset, because CI must never silently drop the PostgreSQL suites.
 */
export function postgresTestUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL || undefined;
  if (!url && isCi()) {
    throw new Error('TEST_DATABASE_URL is not set but CI=true: PostgreSQL tests must run in CI (e.g. postgres://postgres@127.0.0.1:5432/test)');
  }
  return url;
}

/**
 * `describe` for suites that need PostgreSQL: registered when TEST_DATABASE_URL is set, absent
 * locally without it, and a collection error in CI without it.
 */
export function describeIfPostgres(name: string, fn: (url: string) => void): void {
  const url = postgresTestUrl();
  if (url) describe(name, () => fn(url));
}

/**
 * A test that always runs, so a file whose suites need PostgreSQL is never empty, and which proves
 * those suites cannot silently vanish in CI (CI=true without TEST_DATABASE_URL fails).
 */
export function postgresSuiteGuard(): void {
  describe('PostgreSQL suites of this file', () => {
    it('are registered whenever TEST_DATABASE_URL is set, and refuse to be left out in CI', () => {
      const saved = { CI: process.env.CI, TEST_DATABASE_URL: process.env.TEST_DATABASE_URL };
      try {
        process.env.CI = 'true';
        delete process.env.TEST_DATABASE_URL;
        expect(() => postgresTestUrl()).toThrow(/TEST_DATABASE_URL/);
        expect(() => describeIfPostgres('never registered', () => undefined)).toThrow(/TEST_DATABASE_URL/);
        process.env.TEST_DATABASE_URL = 'postgres://example/db';
        expect(postgresTestUrl()).toBe('postgres://example/db');
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    });
  });
}

export interface PostgresTestDatabase {
  /** URL of the fresh database. */
  url: string;
  db: SqlDatabase;
  /** Closes `db` and drops the database. */
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named database on TEST_DATABASE_URL's server and opens a pool on it. */
export async function createPostgresTestDatabase(opts: { migrations?: Migration[]; max?: number } = {}): Promise<PostgresTestDatabase> {
  const serverUrl = postgresTestUrl();
  if (!serverUrl) throw new Error('createPostgresTestDatabase needs TEST_DATABASE_URL');
  const name = `suara_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = databaseUrl(serverUrl, name);
  const db = await openPostgres(url, { max: opts.max });
  if (opts.migrations) await migrate(db, opts.migrations);
  return {
    url,
    db,
    async drop() {
      await db.close();
      await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** An in-memory PGlite (≈4 s and ≈700 MB to start: share one per test file). */
export async function openTestPglite(opts: { migrations?: Migration[] } = {}): Promise<SqlDatabase> {
  const db = await openPglite();
  if (opts.migrations) await migrate(db, opts.migrations);
  return db;
}

function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
