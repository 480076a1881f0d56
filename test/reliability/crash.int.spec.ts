import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../../services/src/db/test-support/test-database';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { health, sleep, SubmissionLoad, waitUntil } from '../support/reliability';
import { assertNo500, assertNothingLost, checkTallies, createOperators, loginAdmin } from '../support/reliability-checks';
import { startServer } from '../support/server';

/**
 * Crash without loss, with the built service as a real process on PostgreSQL: every submission
 * answered 201 survives a SIGKILL of the service and a restart of PostgreSQL, reaches the tallies,
 * and a retry with the same clientRequestId is answered 200.
 */

const SERVICE_ENV = { SUARA_SUBMIT_RATE_PER_MIN: '100000', SUARA_TOKEN_TTL: '86400' };

/** Runs every registered cleanup (servers, databases), newest first, whatever failed. */
function cleanups() {
  const fns: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const fn of fns.reverse()) await fn().catch(() => undefined);
  });
  return fns;
}

describeIfPostgres('crash without loss: SIGKILL of the service process (fresh database on PostgreSQL)', () => {
  const cleanup = cleanups();

  it('keeps every 201 through a SIGKILL of the service under load; retries get 200', async () => {
    const pg: PostgresTestDatabase = await createPostgresTestDatabase();
    cleanup.push(() => pg.drop());
    const env = { ...SERVICE_ENV, DATABASE_URL: pg.url };
    let server = await startServer({ env });
    cleanup.push(() => server.stop('SIGKILL'));

    const admin = await loginAdmin(server);
    const ops = await createOperators(admin, server.url, 'kill');
    const load = new SubmissionLoad(server.url, ops);
    load.start();
    await waitUntil('60 submissions answered 201', async () => (load.count(201) >= 60 ? true : undefined), 180_000, 20);

    await server.stop('SIGKILL');
    const before = load.count(201);
    await waitUntil('the load to notice the dead service', async () => (load.answers.some((a) => a.status === 0) ? true : undefined), 60_000, 50);

    server = await startServer({ env });
    load.retarget(server.url);
    await waitUntil('30 more submissions after the restart', async () => (load.count(201) >= before + 30 ? true : undefined), 180_000, 50);
    await load.stop();

    assertNo500(load);
    await assertNothingLost(server, load, () => checkTallies({ DATABASE_URL: pg.url }));
  }, 600_000);
});

describe('crash without loss: SIGKILL of the service on the embedded default (PGlite in DATA_DIR)', () => {
  const cleanup = cleanups();

  it('keeps every 201 through a SIGKILL of the service under load; retries get 200', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'suara-crash-pglite-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    let server = await startServer({ env: SERVICE_ENV, dataDir });
    cleanup.push(() => server.stop('SIGKILL'));

    const admin = await loginAdmin(server);
    const ops = await createOperators(admin, server.url, 'kill-pglite');
    const load = new SubmissionLoad(server.url, ops);
    load.start();
    await waitUntil('40 submissions answered 201', async () => (load.count(201) >= 40 ? true : undefined), 180_000, 20);

    await server.stop('SIGKILL');
    const before = load.count(201);
    await waitUntil('the load to notice the dead service', async () => (load.answers.some((a) => a.status === 0) ? true : undefined), 60_000, 50);

    // The same data folder, opened again after the crash.
    server = await startServer({ env: SERVICE_ENV, dataDir });
    load.retarget(server.url);
    await waitUntil('20 more submissions after the restart', async () => (load.count(201) >= before + 20 ? true : undefined), 180_000, 50);
    await load.stop();

    assertNo500(load);
    // Only one process may open the folder: `check` runs once the service is stopped.
    await assertNothingLost(server, load, async () => {
      await server.stop('SIGTERM');
      await checkTallies({ DATA_DIR: dataDir });
    });
  }, 600_000);
});

describe('crash without loss: PostgreSQL restarted under load (private PostgreSQL)', () => {
  const cleanup = cleanups();

  it.each(['immediate', 'fast'] as const)('answers 503 with Retry-After while PostgreSQL restarts (%s stop), reports it in /health, and recovers without a restart', async (mode) => {
    const pgp: PrivatePostgres = await startPrivatePostgres();
    cleanup.push(() => pgp.destroy());
    const databaseUrl = await pgp.createDatabase('suara');
    const server = await startServer({ env: { ...SERVICE_ENV, DATABASE_URL: databaseUrl } });
    cleanup.push(async () => {
      if (server.process.exitCode !== null) console.log(server.output());
      await server.stop('SIGKILL');
    });
    const pid = server.process.pid;

    const admin = await loginAdmin(server);
    const ops = await createOperators(admin, server.url, `pg${mode}`);
    const load = new SubmissionLoad(server.url, ops);
    load.start();
    await waitUntil('40 submissions answered 201', async () => (load.count(201) >= 40 ? true : undefined), 180_000, 20);

    await pgp.stop(mode);
    const outageFrom = load.answers.length;
    const degraded = await waitUntil('GET /health to report the outage', async () => {
      const h = await health(server.url);
      return h.status === 503 ? h : undefined;
    });
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.retryAfter).toMatch(/^\d+$/);
    expect(degraded.body.eventStore.ok && degraded.body.readModel.ok).toBe(false);
    // It says what is wrong: the failing part carries the database's error.
    const failing = [degraded.body.eventStore, degraded.body.readModel].filter((part) => !part.ok);
    for (const part of failing) {
      const error = (part as { error?: unknown }).error;
      expect(typeof error === 'string' && error.length > 0, JSON.stringify(part)).toBe(true);
    }
    await waitUntil('submissions refused with 503 during the outage', async () =>
      load.answers.slice(outageFrom).filter((a) => a.status === 503).length >= 10 ? true : undefined, 60_000, 50);
    // Logins and reads are refused the same way while the database is away.
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'x-wrong-x' }),
    });
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);
    const read = await fetch(`${server.url}/api/results/${ops[0].tps[0]}/PPWP`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(read.status).toBe(503);
    expect(await read.json()).toMatchObject({ error: 'database_unavailable' });
    await sleep(2000);

    await pgp.start();
    const before = load.count(201);
    await waitUntil('GET /health to be ok again', async () => ((await health(server.url)).status === 200 ? true : undefined), 120_000);
    await waitUntil('30 more submissions after the database came back', async () => (load.count(201) >= before + 30 ? true : undefined), 180_000, 50);
    await load.stop();

    expect(server.process.pid).toBe(pid);
    expect(server.process.exitCode).toBeNull();
    expect(load.answers.slice(outageFrom).some((a) => a.status === 503)).toBe(true);
    assertNo500(load);
    await assertNothingLost(server, load, () => checkTallies({ DATABASE_URL: databaseUrl }));
  }, 600_000);
});
