import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kecamatanOf, SuaraClient, type Role } from '@suara/contracts';
import { signToken } from '../../services/src/identity/token';
import { backends, bootApp, ppwpForm, type TestApp } from '../support/app';
import { connectLive, connectRefusal, subscribe, TallyWatcher, type LiveSocket } from '../support/live-client';
import { KABUPATEN, sleep, waitUntil } from '../support/reliability';
import { errorOf, statusOf } from '../support/http';

/**
 * Access control end to end on a booted application: the role × route matrix extended to the
 * socket events, operators confined to their scope everywhere, disabling and revoking acting at
 * once, admin user management and its audit trail, the per-operator submission rate limit,
 * security headers and CORS closed by default.
 */

const SECRET = 'access-spec-token-secret-0123456789';
const RATE = 5;
const DESA = '1222011001';
const OTHER_DESA = '1222012002';
const KECAMATAN = kecamatanOf(DESA);
const tps = (desa: string, n: number) => `${desa}${String(n).padStart(3, '0')}`;
let seq = 0;
const crid = () => `access-${Date.now().toString(36)}-${++seq}`;



/** The claims inside a token (middle part, base64url JSON). */
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { sub: string; role: Role; tv: number };

const backend = backends().includes('postgres') ? 'postgres' : 'pglite';

describe(`access control on ${backend}`, () => {
  let t: TestApp;
  let operator: SuaraClient;
  let official: SuaraClient;
  const sockets: LiveSocket[] = [];

  const live = async (token: string | undefined) => {
    const s = await connectLive(t.url, token);
    sockets.push(s);
    return s;
  };
  const idOf = async (username: string) => (await t.admin.users()).find((u) => u.username === username)!.id;
  const raw = (path: string, init: RequestInit = {}) => fetch(t.url + path, init);

  beforeAll(async () => {
    t = await bootApp(backend, { SUARA_TOKEN_SECRET: SECRET, SUARA_SUBMIT_RATE_PER_MIN: String(RATE) });
    operator = await t.userClient('operator', [DESA]);
    official = await t.userClient('official');
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  describe('socket connections and events', () => {
    it('refuses a connection without a token, with a bad, forged or expired token', async () => {
      const good = official.token!;
      const claims = claimsOf(good);
      const expired = signToken({ sub: claims.sub, role: claims.role, tv: claims.tv }, SECRET, 60, new Date(Date.now() - 3600_000)).token;
      const forged = signToken({ sub: claims.sub, role: 'admin', tv: claims.tv }, 'not-the-secret', 3600).token;
      const tampered = `${good.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${good.split('.')[2]}`;
      for (const token of [undefined, '', 'garbage', 'a.b.c', expired, forged, tampered]) {
        const refusal = await connectRefusal(t.url, token);
        expect(refusal.error, `token ${token}`).toBe('unauthenticated');
        if (token) {
          const res = await raw('/api/me', { headers: { authorization: `Bearer ${token}` } });
          expect(res.status, `HTTP with token ${token}`).toBe(401);
        }
      }
      // Wrong types for the token are refused the same way.
      for (const token of [123, { token: good }, [good]]) {
        const refusal = await connectRefusal(t.url, token as never);
        expect(refusal.error).toBe('unauthenticated');
      }
      (await live(good)).close();
    });

    it('lets verifiers, officials and admins subscribe, refuses operators, and pushes nothing to them', async () => {
      const verifier = await t.userClient('verifier');
      for (const client of [verifier, official, t.admin]) {
        const s = await live(client.token!);
        const ack = await subscribe(s, KABUPATEN, 'PPWP');
        expect(ack.ok).toBe(true);
        if (ack.ok) expect(ack.tally.region.code).toBe(KABUPATEN);
        const bad = await subscribe(s, 'not-a-region', 'PPWP');
        expect(bad).toMatchObject({ ok: false, error: 'invalid_input' });
        const other = await s.timeout(10_000).emitWithAck('subscribe', { regionCode: KABUPATEN, ballot: 'NOPE' as never });
        expect(other).toMatchObject({ ok: false, error: 'invalid_input' });
        expect(await s.timeout(10_000).emitWithAck('subscribeQuickcount', { ballot: 'PPWP' })).toMatchObject({ ok: true });
        expect(await s.timeout(10_000).emitWithAck('unsubscribe', { regionCode: KABUPATEN, ballot: 'PPWP' })).toEqual({ ok: true });
      }

      const opSocket = await live(operator.token!);
      for (const region of [KABUPATEN, KECAMATAN, DESA, tps(DESA, 1)]) {
        const ack = await subscribe(opSocket, region, 'PPWP');
        expect(ack, `operator subscribing to ${region}`).toMatchObject({ ok: false, error: 'forbidden' });
      }
      expect(await opSocket.timeout(10_000).emitWithAck('subscribeQuickcount', { ballot: 'PPWP' })).toMatchObject({ ok: false, error: 'forbidden' });
      let operatorPushes = 0;
      opSocket.on('tally', () => operatorPushes++);
      opSocket.on('quickcount', () => operatorPushes++);
      const watcher = await TallyWatcher.start(t.url, official.token!, KABUPATEN, 'PPWP');
      sockets.push(watcher.socket);
      const before = watcher.latest!.progress.tpsReported;
      expect((await operator.submit({ tpsCode: tps(DESA, 20), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 1, '02': 2, '03': 3 }) })).status).toBe(201);
      await waitUntil('the official to get the push', async () => (watcher.latest!.progress.tpsReported === before + 1 ? true : undefined), 30_000, 100);
      await sleep(500);
      expect(operatorPushes).toBe(0);
    });
  });

  describe('operators are confined to their scope', () => {
    it('reads and writes only inside its desa: regions, ballots, results, history', async () => {
      const own = tps(DESA, 1);
      const foreign = tps(OTHER_DESA, 1);
      expect((await operator.region(DESA)).code).toBe(DESA);
      expect((await operator.tpsBallots(own)).length).toBe(5);
      expect((await operator.submit({ tpsCode: own, ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 5, '02': 6, '03': 7 }) })).status).toBe(201);
      expect((await operator.result(own, 'PPWP')).status).toBe('submitted');
      expect((await operator.history(own, 'PPWP')).length).toBe(1);

      for (const region of [OTHER_DESA, KECAMATAN, KABUPATEN, '12', foreign]) {
        expect(await statusOf(operator.region(region)), `region ${region}`).toBe(403);
      }
      expect(await statusOf(operator.tpsBallots(foreign))).toBe(403);
      expect(await statusOf(operator.result(foreign, 'PPWP'))).toBe(403);
      expect(await statusOf(operator.history(foreign, 'PPWP'))).toBe(403);
      expect(await statusOf(operator.validate(foreign, 'PPWP', ppwpForm({ '01': 1, '02': 1, '03': 1 })))).toBe(403);
      const refused = await errorOf(operator.submit({ tpsCode: foreign, ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 1, '02': 1, '03': 1 }) }));
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('forbidden');
      expect((await official.result(foreign, 'PPWP')).status).toBe('empty');
      // Dotted codes are the same codes: no way around the scope.
      const dotted = `${OTHER_DESA.slice(0, 2)}.${OTHER_DESA.slice(2, 4)}.${OTHER_DESA.slice(4, 6)}.${OTHER_DESA.slice(6)}`;
      expect(await statusOf(operator.region(dotted))).toBe(403);
    });

    it('never sees recap data, the verifier queue or admin routes', async () => {
      expect(await statusOf(operator.tally(KABUPATEN, 'PPWP'))).toBe(403);
      expect(await statusOf(operator.tally(DESA, 'PPWP'))).toBe(403);
      expect(await statusOf(operator.anomalies('PPWP'))).toBe(403);
      expect(await statusOf(operator.quickcount('PPWP'))).toBe(403);
      expect(await statusOf(operator.results({ ballot: 'PPWP' }))).toBe(403);
      expect(await statusOf(operator.verify(tps(DESA, 1), 'PPWP', 1))).toBe(403);
      expect(await statusOf(operator.users())).toBe(403);
      expect(await statusOf(operator.audit())).toBe(403);
      expect(await statusOf(operator.createUser({ username: 'sneaky', password: 'password-sneaky', role: 'admin' }))).toBe(403);
      expect(await statusOf(operator.drawSample({ ballot: 'PPWP', size: 10 }))).toBe(403);
      expect(await statusOf(operator.switchToReal())).toBe(403);
      expect(await statusOf(operator.resetSimulation())).toBe(403);
      expect(await statusOf(operator.report(DESA, { ballot: 'PPWP', format: 'csv' }))).toBe(403);
      expect(await statusOf(operator.importUsers('username,desa_code\nop.sneaky,1222011001\n'))).toBe(403);
    });

    it('confines a TPS-scoped operator to that TPS, not its desa', async () => {
      const one = tps(OTHER_DESA, 3);
      const tpsOperator = await t.userClient('operator', [one]);
      expect(await statusOf(tpsOperator.tpsBallots(one))).toBe(200);
      expect(await statusOf(tpsOperator.tpsBallots(tps(OTHER_DESA, 4)))).toBe(403);
      expect(await statusOf(tpsOperator.region(OTHER_DESA))).toBe(403);
      expect(await statusOf(tpsOperator.submit({ tpsCode: tps(OTHER_DESA, 4), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 1, '02': 1, '03': 1 }) }))).toBe(403);
      expect(await statusOf(tpsOperator.submit({ tpsCode: one, ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 1, '02': 1, '03': 1 }) }))).toBe(201);
    });
  });

  describe('user administration', () => {
    it('refuses a disabled user at once, over HTTP and on a new socket, until enabled again', async () => {
      const username = `disable-me-${Date.now().toString(36)}`;
      const watcher = await t.userClient('official', undefined, username);
      const id = await idOf(username);
      expect(await statusOf(watcher.me())).toBe(200);
      (await live(watcher.token!)).close();

      const disabled = await t.admin.disableUser(id);
      expect(disabled.disabled).toBe(true);
      expect(await statusOf(watcher.me())).toBe(401);
      expect(await statusOf(watcher.tally(KABUPATEN, 'PPWP'))).toBe(401);
      expect((await connectRefusal(t.url, watcher.token!)).error).toBe('unauthenticated');
      expect(await statusOf(new SuaraClient(t.url).login(username, `Uji-Sandi-Kuat-${username}`))).toBe(401);

      await t.admin.enableUser(id);
      const again = new SuaraClient(t.url);
      await again.login(username, `Uji-Sandi-Kuat-${username}`);
      expect(await statusOf(again.me())).toBe(200);
    });

    it('revokes every token of a user at once; a new login works', async () => {
      const username = `revoke-me-${Date.now().toString(36)}`;
      const user = await t.userClient('verifier', undefined, username);
      const second = new SuaraClient(t.url);
      await second.login(username, `Uji-Sandi-Kuat-${username}`);
      await t.admin.revokeTokens(await idOf(username));
      for (const c of [user, second]) {
        expect(await statusOf(c.me())).toBe(401);
        expect((await connectRefusal(t.url, c.token!)).error).toBe('unauthenticated');
      }
      const fresh = new SuaraClient(t.url);
      await fresh.login(username, `Uji-Sandi-Kuat-${username}`);
      expect(await statusOf(fresh.me())).toBe(200);
    });

    it('lets an admin reset a password: old tokens and the old password stop working', async () => {
      const username = `reset-me-${Date.now().toString(36)}`;
      const op = await t.userClient('operator', [DESA], username);
      const id = await idOf(username);
      expect(await statusOf(official.resetPassword(id, 'not-allowed-here'))).toBe(403);
      expect(await statusOf(t.admin.resetPassword(id, 'short'))).toBe(400);
      await t.admin.resetPassword(id, 'a-brand-new-password');
      expect(await statusOf(op.me())).toBe(401);
      expect(await statusOf(new SuaraClient(t.url).login(username, `Uji-Sandi-Kuat-${username}`))).toBe(401);
      const again = new SuaraClient(t.url);
      await again.login(username, 'a-brand-new-password');
      expect((await again.me()).username).toBe(username);
    });

    it('lists logins and admin actions with who and when, for admins only', async () => {
      const started = Date.now() - 1000;
      const username = `audited-${Date.now().toString(36)}`;
      const user = await t.userClient('official', undefined, username);
      expect(await statusOf(new SuaraClient(t.url).login(username, 'wrong-password'))).toBe(401);
      const id = await idOf(username);
      await t.admin.disableUser(id);
      await t.admin.enableUser(id);
      await t.admin.resetPassword(id, 'another-password-1');
      await t.admin.revokeTokens(id);

      const audit = await t.admin.audit(1000);
      const adminId = (await t.admin.me()).id;
      const about = audit.filter((e) => e.target === id || e.target === username || (e.detail as { username?: string }).username === username);
      const actions = about.map((e) => e.action);
      for (const action of ['user_created', 'login_ok', 'login_failed', 'user_disabled', 'user_enabled', 'password_reset', 'tokens_revoked']) {
        expect(actions, `audit has ${action}`).toContain(action);
      }
      for (const e of about) {
        expect(Date.parse(e.at)).toBeGreaterThanOrEqual(started);
        expect(Date.parse(e.at)).toBeLessThanOrEqual(Date.now() + 1000);
        if (e.action === 'login_ok') expect(e).toMatchObject({ actorId: id, actorUsername: username });
        else if (e.action === 'login_failed') expect(e.actorId).toBeNull();
        else expect(e).toMatchObject({ actorId: adminId, actorUsername: 'admin' });
      }
      // Admin actions of other contexts are recorded the same way.
      await t.admin.drawSample({ ballot: 'PPWP', size: 20, seed: 'access-spec' });
      await t.admin.resetSimulation();
      const latest = await t.admin.audit(10);
      for (const action of ['sample_drawn', 'simulation_reset']) {
        expect(latest.find((e) => e.action === action), `audit has ${action}`).toMatchObject({ actorId: adminId, actorUsername: 'admin' });
      }
      // Newest first.
      const ids = audit.map((e) => e.id);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      expect(await statusOf(user.me())).toBe(401); // its tokens were revoked above
      for (const c of [official, operator]) expect(await statusOf(c.audit())).toBe(403);
    });
  });

  it('limits submissions per operator with 429 and Retry-After, storing nothing refused', async () => {
    const desa = '1222012003';
    const limited = await t.userClient('operator', [desa]);
    const other = await t.userClient('operator', [desa]);
    for (let n = 1; n <= RATE; n++) {
      expect(await statusOf(limited.submit({ tpsCode: tps(desa, n), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': n, '02': 1, '03': 1 }) }))).toBe(201);
    }
    const res = await raw('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${limited.token}` },
      body: JSON.stringify({ tpsCode: tps(desa, RATE + 1), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 9, '02': 1, '03': 1 }) }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({ error: 'rate_limited' });
    expect((await official.result(tps(desa, RATE + 1), 'PPWP')).status).toBe('empty');
    // The limit is per operator: another operator of the same desa is not held back.
    expect(await statusOf(other.submit({ tpsCode: tps(desa, RATE + 1), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 9, '02': 1, '03': 1 }) }))).toBe(201);
  });

  it('sets security headers on every answer, errors included', async () => {
    const answers = [
      await raw('/health'),
      await raw('/api/me'),
      await raw('/api/election', { headers: { authorization: `Bearer ${official.token}` } }),
      await raw('/api/no-such-route', { headers: { authorization: `Bearer ${official.token}` } }),
      await raw('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 200, 404, 400]);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-powered-by')).toBeNull();
      const body = await res.text();
      expect(body).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it('keeps CORS closed by default: no Access-Control-Allow-Origin for other origins, preflights refused', async () => {
    const origin = 'https://evil.example';
    const simple = await raw('/api/election', { headers: { origin, authorization: `Bearer ${official.token}` } });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    expect(simple.headers.get('access-control-allow-credentials')).toBeNull();
    const health = await raw('/health', { headers: { origin } });
    expect(health.headers.get('access-control-allow-origin')).toBeNull();
    for (const path of ['/api/results', '/api/auth/login']) {
      const preflight = await raw(path, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBeGreaterThanOrEqual(400);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    }
    // socket.io's polling transport does not open CORS either.
    const polling = await raw('/socket.io/?EIO=4&transport=polling', { headers: { origin } });
    expect(polling.headers.get('access-control-allow-origin')).toBeNull();
  });
});
