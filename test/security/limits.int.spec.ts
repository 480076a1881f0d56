import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MAX_LISTED_ISSUES, SuaraClient } from '@suara/contracts';
import { backends, bootApp, type TestApp } from '../support/app';
import { loginAttempt } from '../support/http';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * Limits that cannot be turned into a denial of service (red team findings): the dry-run route
 * was unlimited and echoed every unknown key (57 kB in, 570 kB out); reads had no limit; five
 * wrong passwords locked an account for everyone, its owner included; twenty locked out a whole
 * carrier-NAT address; and every replica counted alone.
 */
const DESA = '1222011001';
const TPS = `${DESA}001`;
const PASSWORD = 'Uji-Sandi-Kuat-2024';

const login = loginAttempt;

describe('request limits (PGlite, limits configured low)', () => {
  let t: TestApp;
  let operator: SuaraClient;

  beforeAll(async () => {
    t = await bootApp('pglite', { SUARA_VALIDATE_RATE_PER_MIN: '20', SUARA_READ_RATE_PER_MIN: '40', TRUST_PROXY: '127.0.0.1' });
    operator = await t.userClient('operator', [DESA]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a dry run of 3,000 unknown keys briefly: at most 50 issues and how many more', async () => {
    const votes: Record<string, number> = {};
    for (let i = 0; i < 3000; i++) votes[`k${i}-${'x'.repeat(9)}`] = 1;
    const body = JSON.stringify({ tpsCode: TPS, ballot: 'PPWP', form: { votes, valid: 1, invalid: 0, voters: { dpt: 10, voted: 1 } } });
    expect(body.length).toBeGreaterThan(55_000);
    expect(body.length).toBeLessThan(64 * 1024);
    const res = await fetch(`${t.url}/api/results/validate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}` }, body });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text.length).toBeLessThan(12_000);
    const answer = JSON.parse(text) as { ok: boolean; issues: unknown[]; moreIssues: number };
    expect(answer.ok).toBe(false);
    expect(answer.issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(answer.moreIssues).toBeGreaterThanOrEqual(3000 - MAX_LISTED_ISSUES);
    // The same bound on a body refused outright (unknown top-level keys).
    const flat: Record<string, unknown> = { tpsCode: TPS, ballot: 'PPWP', form: {} };
    for (let i = 0; i < 1500; i++) flat[`extra-${i}-${'y'.repeat(25)}`] = 1;
    const refused = await fetch(`${t.url}/api/results/validate`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}` }, body: JSON.stringify(flat) });
    const refusedText = await refused.text();
    expect(refused.status).toBe(400);
    expect(refusedText.length).toBeLessThan(12_000);
    expect(JSON.parse(refusedText)).toMatchObject({ error: 'invalid_input', moreIssues: 1500 - MAX_LISTED_ISSUES });
  });

  it('limits dry runs per user with 429 and Retry-After; another user is not affected', async () => {
    const form = { votes: { '01': 1, '02': 1, '03': 1 }, valid: 3, invalid: 0, voters: { dpt: 10, voted: 3 } };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 25; i++) {
      const res = await operator.request('POST', '/api/results/validate', { tpsCode: TPS, ballot: 'PPWP', form }).then(
        (r) => r.status,
        (e: { status: number; headers?: Headers }) => {
          retryAfter = e.headers?.get('retry-after') ?? null;
          return e.status;
        },
      );
      statuses.push(res);
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(20);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const other = await t.userClient('operator', [DESA]);
    expect((await other.validate(TPS, 'PPWP', form)).ok).toBe(true);
  });

  it('limits reads per user, generously', async () => {
    const official = await t.userClient('official');
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push(await official.me().then(() => 200, (e: { status: number }) => e.status));
    expect(statuses.slice(0, 39).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect((await t.admin.me()).username).toBe('admin');
  });

  it('a stranger guessing from elsewhere cannot lock out an owner who still logs in', async () => {
    const username = `owner-${Date.now().toString(36)}`;
    await t.admin.createUser({ username, password: PASSWORD, role: 'verifier' });
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push((await login(t.url, username, `tebakan-${i}`, '198.51.100.66')).status);
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(8);
    expect(answers).toContain(429);
    expect((await login(t.url, username, PASSWORD, '203.0.113.10')).status).toBe(200);
    // The owner's own typos cost seconds, not a lockout: after the 5 free ones, one try per delay.
    // Sent at once, so the outcome does not depend on how fast this machine checks passwords.
    for (let i = 0; i < 5; i++) expect((await login(t.url, username, `salah-ketik-${i}`, '203.0.113.10')).status).toBe(401);
    const burst = await Promise.all([1, 2, 3].map((i) => login(t.url, username, `salah-ketik-lagi-${i}`, '203.0.113.10')));
    expect(burst.filter((r) => r.status === 401)).toHaveLength(1);
    const delayed = burst.filter((r) => r.status === 429);
    expect(delayed).toHaveLength(2);
    for (const d of delayed) expect(Number(d.retryAfter)).toBe(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await login(t.url, username, PASSWORD, '203.0.113.10')).status).toBe(200);
  });
});

describe('two replicas share one login budget through Redis', () => {
  let redis: PrivateRedis;
  let a: TestApp;
  let b: TestApp;
  const username = 'shared-budget';

  beforeAll(async () => {
    redis = await startPrivateRedis();
    const env = { REDIS_URL: redis.url, SUARA_REDIS_PREFIX: `suara-test-${randomBytes(4).toString('hex')}`, TRUST_PROXY: '127.0.0.1' };
    // PostgreSQL when there is one (CI): two embedded databases at once are slow to start on a busy machine.
    const backend = backends().at(-1)!;
    a = await bootApp(backend, env);
    b = await bootApp(backend, env);
    // The same account on both (each test app has its own database; the budget is keyed by name and address).
    for (const t of [a, b]) await t.admin.createUser({ username, password: PASSWORD, role: 'official' });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await redis?.destroy();
  });

  it('failures counted on one replica delay attempts on the other', async () => {
    for (let i = 0; i < 5; i++) expect((await login(a.url, username, `tebakan-${i}`, '198.51.100.7')).status).toBe(401);
    // The free failures are spent on a: of attempts sent at once to both, one passes the shared gate.
    // Each replica counting alone would have let b's attempts all through.
    const burst = await Promise.all([b, a, b, a].map((t, i) => login(t.url, username, `tebakan-lagi-${i}`, '198.51.100.7')));
    expect(burst.filter((r) => r.status === 401)).toHaveLength(1);
    // The gate's delay is that of the failure that reached it first: the 6th (1 s), or on a busy
    // machine a later one whose count got to Redis first (7th 2 s, 8th 4 s, 9th 8 s); the other three wait for it.
    const waits = burst.filter((r) => r.status === 429).map((r) => r.retryAfter);
    expect(waits, JSON.stringify(burst.map((r) => [r.status, r.retryAfter]))).toHaveLength(3);
    for (const w of waits) expect(['1', '2', '4', '8']).toContain(w);
    // From elsewhere, nothing waits.
    expect((await login(b.url, username, PASSWORD, '203.0.113.20')).status).toBe(200);
  });

  it('with Redis down, each replica keeps throttling in its own memory (neither open nor closed), and shares again once it is back', async () => {
    await redis.stop('SIGKILL');
    // Logins still work…
    expect((await login(a.url, username, PASSWORD, '203.0.113.30')).status).toBe(200);
    // …and guessing is still throttled, per process.
    for (let i = 0; i < 5; i++) expect((await login(a.url, username, `tebakan-${i}`, '198.51.100.8')).status).toBe(401);
    const burst = await Promise.all([1, 2, 3].map((i) => login(a.url, username, `tebakan-lagi-${i}`, '198.51.100.8')));
    expect(burst.map((r) => r.status).sort()).toEqual([401, 429, 429]);
    await redis.start();
    const deadline = Date.now() + 30_000;
    let shared = false;
    for (let round = 0; !shared && Date.now() < deadline; round++) {
      await new Promise((r) => setTimeout(r, 500));
      const ip = `198.51.100.${100 + round}`;
      for (let i = 0; i < 5; i++) await login(a.url, username, `x-${i}`, ip);
      const burst = await Promise.all([b, b, b].map((t) => login(t.url, username, PASSWORD, ip)));
      shared = burst.filter((r) => r.status === 429).length === 2;
    }
    expect(shared).toBe(true);
  });
});
