import { afterAll, beforeAll, expect, it } from 'vitest';
import { comparePositions, SuaraClient, type TallyView } from '@suara/contracts';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../../services/src/db/test-support/test-database';
import { loginAttempt } from '../support/http';
import { TallyWatcher } from '../support/live-client';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { desaList, formFor, KABUPATEN, postgresSuiteGuard, sleep, submitOnce, waitForProjection, waitUntil } from '../support/reliability';
import { startServer, type RunningServer } from '../support/server';

/**
 * Live tallies and Redis under faults: two service processes on one database and one PRIVATE Redis.
 * Tally pushes do not go through Redis: each process learns of new results by PostgreSQL NOTIFY and
 * emits to its own sockets, so pushes must go on, across processes, while Redis is gone. What Redis
 * carries is the counters of rate limits and login throttles: one budget for both processes while
 * it is up; while it is down each process counts in its own memory (neither fail-open nor
 * fail-closed, as the README says). Redis goes away and comes back; a dashboard loses its
 * connection for a while.
 */
const GUESSED = 'official-guessed';
const GUESSED_PASSWORD = 'Uji-Sandi-Kuat-2024';

describeIfPostgres('live pushes and shared limits under faults (two processes, private Redis)', () => {
  let redis: PrivateRedis;
  let pg: PostgresTestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let c: RunningServer | undefined;
  let official: SuaraClient;
  let operator: SuaraClient;
  let tps: string[] = [];
  let next = 0;
  const watchers: TallyWatcher[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    pg = await createPostgresTestDatabase();
    // TRUST_PROXY: login attempts say which address they come from (the throttle counts per address).
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url, SUARA_SUBMIT_RATE_PER_MIN: '100000', TRUST_PROXY: '127.0.0.1' };
    a = await startServer({ env });
    b = await startServer({ env });
    const admin = new SuaraClient(a.url);
    await admin.login(a.adminUser, a.adminPassword);
    const desa = (await desaList(admin)).slice(0, 3);
    tps = desa.flatMap((d) => d.tps);
    await admin.createUser({ username: 'official-live', password: 'password-official', role: 'official' });
    await admin.createUser({ username: GUESSED, password: GUESSED_PASSWORD, role: 'official' });
    await admin.createUser({ username: 'operator-live', password: 'password-operator', role: 'operator', scope: desa.map((d) => d.code) });
    official = new SuaraClient(a.url);
    await official.login('official-live', 'password-official');
    operator = new SuaraClient(a.url);
    await operator.login('operator-live', 'password-operator');
  });

  afterAll(async () => {
    for (const w of watchers) w.close();
    await a?.stop('SIGKILL').catch(() => undefined);
    await b?.stop('SIGKILL').catch(() => undefined);
    await c?.stop('SIGKILL').catch(() => undefined);
    await redis?.destroy().catch(() => undefined);
    await pg?.drop().catch(() => undefined);
  });

  const watch = async (server: RunningServer, opts: { reconnection?: boolean } = {}) => {
    const w = await TallyWatcher.start(server.url, official.token!, KABUPATEN, 'PPWP', opts);
    watchers.push(w);
    return w;
  };

  /** Submits the next TPS through `server` and returns how many TPS have reported since the start. */
  async function submitVia(server: RunningServer): Promise<number> {
    const tpsCode = tps[next++];
    const answer = await submitOnce(server.url, operator.token!, tpsCode, `live-${tpsCode}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return next;
  }

  /** Every watcher shows `reported` TPS (by push or ack) within a bounded wait. */
  async function allSee(ws: TallyWatcher[], reported: number, what: string): Promise<void> {
    await waitUntil(
      `${what}: every dashboard to show ${reported} TPS (now ${ws.map((w) => w.latest?.progress.tpsReported).join(', ')})`,
      async () => (ws.every((w) => w.latest?.progress.tpsReported === reported) ? true : undefined),
      45_000,
      100,
    );
  }

  /**
   * Spends the five free failed logins of GUESSED from `from` on `first`, then sends three attempts
   * at once to `then`: their statuses, sorted. With one budget the gate lets one through ([401, 429,
   * 429]); `then` counting alone would check all three passwords ([401, 401, 401]).
   */
  async function burstAfterFreeFailures(first: RunningServer, then: RunningServer, from: string): Promise<number[]> {
    for (let i = 0; i < 5; i++) expect((await loginAttempt(first.url, GUESSED, `tebakan-${i}`, from)).status).toBe(401);
    const burst = await Promise.all([0, 1, 2].map((i) => loginAttempt(then.url, GUESSED, `tebakan-lagi-${i}`, from)));
    return burst.map((r) => r.status).sort();
  }

  const sameNumbers = (x: TallyView, y: TallyView) => {
    expect(x.totals).toEqual(y.totals);
    expect(x.progress).toEqual(y.progress);
  };

  it('pushes to dashboards on both processes, whichever process took the submission', async () => {
    const onA = await watch(a);
    const onB = await watch(b);
    await allSee([onA, onB], 0, 'start');
    await allSee([onA, onB], await submitVia(a), 'submitted via A');
    await allSee([onA, onB], await submitVia(b), 'submitted via B');
    const pushesBefore = onA.pushes + onB.pushes;
    expect(pushesBefore).toBeGreaterThanOrEqual(4);
  });

  it('shares the login throttle between the processes through Redis: failures on A hold back guesses on B', async () => {
    expect(await burstAfterFreeFailures(a, b, '198.51.100.7')).toEqual([401, 429, 429]);
    // From elsewhere, nothing waits.
    expect((await loginAttempt(b.url, GUESSED, GUESSED_PASSWORD, '203.0.113.20')).status).toBe(200);
  });

  it('keeps pushing on each process and across processes while Redis is down, and after it is back', async () => {
    const onA = await watch(a);
    const onB = await watch(b);
    await allSee([onA, onB], next, 'before the outage');

    await redis.stop('SIGKILL');
    await sleep(1000);
    // Limits while Redis is down: logins still work on both processes (not fail-closed)…
    for (const server of [a, b]) expect((await loginAttempt(server.url, GUESSED, GUESSED_PASSWORD, '203.0.113.30')).status).toBe(200);
    // …guessing is still throttled (not fail-open)…
    expect(await burstAfterFreeFailures(a, a, '198.51.100.8')).toEqual([401, 429, 429]);
    // …but per process: B never heard of A's failures, so its own five free ones are checked.
    expect(await burstAfterFreeFailures(b, b, '198.51.100.8')).toEqual([401, 429, 429]);

    await allSee([onA, onB], await submitVia(a), 'Redis down, submitted via A');
    await allSee([onA, onB], await submitVia(b), 'Redis down, submitted via B');
    // A dashboard that connects during the outage is served too.
    const late = await watch(b);
    await allSee([onA, onB, late], await submitVia(a), 'Redis down, a new dashboard');
    expect((await fetch(`${a.url}/health`)).status).toBe(200);

    await redis.start();
    // The counters are shared again once both processes have reconnected.
    let round = 0;
    await waitUntil('one login budget again after Redis is back', async () => {
      const from = `198.51.100.${100 + round++}`;
      return (await burstAfterFreeFailures(a, b, from)).join() === '401,429,429' ? true : undefined;
    }, 45_000, 500);
    await allSee([onA, onB, late], await submitVia(b), 'Redis back, submitted via B');
    await allSee([onA, onB, late], await submitVia(a), 'Redis back, submitted via A');
    for (const w of [onA, onB, late]) {
      const positions = w.pushPositions;
      for (let i = 1; i < positions.length; i++) expect(comparePositions(positions[i], positions[i - 1])).toBeGreaterThanOrEqual(0);
    }
    await waitForProjection(a.url);
    const truth = await official.tally(KABUPATEN, 'PPWP');
    for (const w of [onA, onB, late]) sameNumbers(w.latest!, truth);
  });

  it('shows the right totals within seconds after a dashboard was disconnected for a while', async () => {
    const dashboard = await watch(b, { reconnection: true });
    const other = await watch(a);
    await allSee([dashboard, other], next, 'before the disconnect');
    const acksBefore = dashboard.acks;

    dashboard.socket.disconnect();
    const offline = Date.now();
    // Results keep arriving while the dashboard is away (through both processes).
    for (let i = 0; i < 6; i++) {
      await submitVia(i % 2 ? a : b);
      await sleep(800);
    }
    await allSee([other], next, 'the connected dashboard while the other is away');
    const stale = dashboard.latest!;
    expect(stale.progress.tpsReported).toBeLessThan(next);
    while (Date.now() - offline < 6000) await sleep(200);

    dashboard.socket.connect();
    await allSee([dashboard], next, 'after reconnecting');
    expect(dashboard.acks).toBeGreaterThan(acksBefore);
    await waitForProjection(a.url);
    sameNumbers(dashboard.latest!, await official.tally(KABUPATEN, 'PPWP'));

    // And it keeps receiving pushes after the reconnect.
    await allSee([dashboard, other], await submitVia(a), 'a submission after the reconnect');
  });

  it('keeps pushing on the surviving process when the other one is killed, and on a new one when both were', async () => {
    const onB = await watch(b);
    await allSee([onB], next, 'before the kill');
    await a.stop('SIGKILL');
    // B's projector takes over once A's lease runs out; B's dashboards then see new results.
    await allSee([onB], await submitVia(b), 'A killed, submitted via B');
    await allSee([onB], await submitVia(b), 'A killed, a second submission via B');
    await waitForProjection(b.url);
    const truth = await new SuaraClient(b.url, official.token).tally(KABUPATEN, 'PPWP');
    sameNumbers(onB.latest!, truth);
    expect(truth.totals.valid).toBe(tps.slice(0, next).reduce((s, t) => s + formFor(t).valid, 0));

    // Whichever process projected has been killed once a third one is the only one left.
    c = await startServer({ env: { DATABASE_URL: pg.url, REDIS_URL: redis.url, SUARA_SUBMIT_RATE_PER_MIN: '100000' } });
    const onC = await watch(c);
    await b.stop('SIGKILL');
    await allSee([onC], await submitVia(c), 'A and B killed, submitted via C');
    await waitForProjection(c.url);
    sameNumbers(onC.latest!, await new SuaraClient(c.url, official.token).tally(KABUPATEN, 'PPWP'));
  });
});

postgresSuiteGuard();
