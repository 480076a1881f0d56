import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDatabase } from '../../services/src/db/sql';
import { SQL_DATABASE } from '../../services/src/db/tokens';
import { bootApp, ppwpForm, type TestApp } from '../support/app';
import { TEST_METRICS_TOKEN } from '../support/server';

/**
 * Red team findings on errors and headers: Fastify's own errors (414 for a long parameter, a bad
 * URL) bypassed the API error shape and echoed the URL; `/health` told anonymous callers roles,
 * positions, the projector id and raw database errors; a client's X-Request-Id was stored in
 * event metadata; CSP allowed WebSockets to any host.
 */
describe('errors and headers (PGlite)', () => {
  let t: TestApp;
  const raw = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, init);

  beforeAll(async () => {
    t = await bootApp('pglite', { TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers framework errors in the API shape without echoing the request', async () => {
    const marker = 'zz<script>alert(1)</script>';
    const cases: [string, number, string][] = [
      [`/api/results/${'9'.repeat(300)}${encodeURIComponent(marker)}/PPWP`, 414, 'uri_too_long'],
      [`/api/x%zz${encodeURIComponent(marker)}`, 400, 'invalid_input'],
      [`/api/no-such-route/${encodeURIComponent(marker)}`, 404, 'not_found'],
    ];
    for (const [path, status, error] of cases) {
      const res = await raw(path, { headers: { authorization: `Bearer ${t.admin.token}` } });
      const text = await res.text();
      expect(res.status, path.slice(0, 40)).toBe(status);
      expect(JSON.parse(text)).toEqual({ error, message: expect.any(String) });
      expect(text).not.toMatch(/zz|script|999999|no-such-route|FST_/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('tells anonymous callers of /health only the status; an admin or the metrics token sees the details', async () => {
    const anonymous = await (await raw('/health')).json();
    expect(anonymous).toEqual({ status: 'ok' });
    const official = await t.userClient('official');
    expect(await (await raw('/health', { headers: { authorization: `Bearer ${official.token}` } })).json()).toEqual({ status: 'ok' });
    expect(await (await raw('/health', { headers: { authorization: 'Bearer wrong-metrics-token' } })).json()).toEqual({ status: 'ok' });
    for (const token of [t.admin.token!, TEST_METRICS_TOKEN]) {
      const detailed = await (await raw('/health', { headers: { authorization: `Bearer ${token}` } })).json();
      expect(detailed).toMatchObject({ status: 'ok', roles: ['command', 'projector', 'live'], eventStore: { kind: 'pglite', ok: true }, readModel: { ok: true }, sealer: { ok: true } });
      expect(detailed.projection).toHaveProperty('projector');
    }
  });

  it('stores the server’s request id in events, never the client’s', async () => {
    const operator = await t.userClient('operator', ['1222011001']);
    const res = await raw('/api/results', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}`, 'x-request-id': 'client-chosen-id-0042' },
      body: JSON.stringify({ tpsCode: '1222011001005', ballot: 'PPWP', clientRequestId: `rid-${Date.now()}`, form: ppwpForm({ '01': 1, '02': 2, '03': 3 }) }),
    });
    expect(res.status).toBe(201);
    const serverId = res.headers.get('x-request-id')!;
    expect(serverId).not.toBe('client-chosen-id-0042');
    const db = t.app.get<SqlDatabase>(SQL_DATABASE);
    const { rows } = await db.query<{ request_id: string }>(`SELECT metadata->>'requestId' AS request_id FROM messages WHERE data->>'tpsCode' = '1222011001005'`);
    expect(rows.map((r) => r.request_id)).toEqual([serverId]);
    const { rows: anywhere } = await db.query(`SELECT 1 FROM messages WHERE metadata::text LIKE '%client-chosen-id-0042%'`);
    expect(anywhere).toHaveLength(0);
  });

  it('lets the page connect only to its own origin, and sends HSTS only over HTTPS via the trusted proxy', async () => {
    const plain = await raw('/health');
    expect(plain.headers.get('content-security-policy')).toMatch(/connect-src 'self';/);
    expect(plain.headers.get('content-security-policy')).not.toMatch(/ws:|wss:/);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const viaHttps = await raw('/health', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' } });
    expect(viaHttps.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});
