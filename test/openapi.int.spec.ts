import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient, type Ballot } from '@suara/contracts';
import { bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually } from './support/http';
import { captureResponses, openApiValidator, type CapturedResponse, type OpenApi } from './support/openapi-responses';
import { sheet } from './support/photos';

const DESA = '1222011001';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
let crid = 0;
const newCrid = () => `oas-${Date.now().toString(36)}-${++crid}`;

type Spec = OpenApi & { openapi: string; components: { schemas: Record<string, unknown> } };

/**
 * `/api/openapi.json` against the running application: every route the router holds is described,
 * nothing described is missing from the router, and real answers of the main routes (successes and
 * errors) validate against the document.
 */
describe('OpenAPI document', () => {
  let t: TestApp;
  let spec: Spec;
  const routes: Array<{ method: string; url: string }> = [];
  const captured: CapturedResponse[] = [];

  beforeAll(async () => {
    t = await bootApp('pglite', {}, (app) => {
      app.getHttpAdapter().getInstance().addHook('onRoute', (r) => {
        for (const method of [r.method].flat()) routes.push({ method: method.toLowerCase(), url: r.url });
      });
      captureResponses(app, captured);
    });
    const res = await fetch(`${t.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    spec = (await res.json()) as Spec;
  });
  afterAll(async () => t?.close());

  /** The dashboard's own files, which @fastify/static registers one route each. */
  const isDashboardFile = (url: string) => {
    const file = join(t.config.dashboardDir, url === '/' ? 'index.html' : url);
    return existsSync(file) && statSync(file).isFile();
  };

  it('is OpenAPI 3.1 and describes every route of the router, and only those', () => {
    expect(spec.openapi).toBe('3.1.0');
    const served = routes
      .filter((r) => r.method !== 'head' && r.method !== 'options' && !isDashboardFile(r.url))
      .map((r) => `${r.method.toUpperCase()} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
    const described = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(served.length).toBeGreaterThan(30);
    // A route missing here needs its @ApiDoc (services/src/openapi/api-doc.ts).
    expect(served.filter((r) => !described.includes(r)), 'routes without @ApiDoc').toEqual([]);
    expect(described.filter((r) => !served.includes(r)), 'described but not served').toEqual([]);
  });

  it('resolves every schema it references', () => {
    const validate = openApiValidator(spec);
    // A status the spec does not list is reported, but a broken $ref throws while compiling.
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const status of Object.keys(op.responses)) {
          expect(() => validate({ method, route: path.replace(/\{(\w+)\}/g, ':$1'), status: Number(status), contentType: 'application/json', body: '{}' })).not.toThrow();
        }
      }
    }
    // The validator itself refuses what does not conform.
    expect(validate({ method: 'get', route: '/api/me', status: 200, contentType: 'application/json', body: '{"id":1}' })).not.toEqual([]);
    expect(validate({ method: 'get', route: '/api/me', status: 418, contentType: 'application/json', body: '{}' })).not.toEqual([]);
    expect(Object.keys(spec.components.schemas)).toEqual(expect.arrayContaining(['ResultView', 'TallyView', 'ErrorBody', 'CHasilForm']));
  });

  it("validates the real answers of the main routes, errors included", async () => {
    const operator = await t.userClient('operator', [DESA]);
    const verifier = await t.userClient('verifier');
    const official = await t.userClient('official');
    const anonymous = new SuaraClient(t.url);
    const ppwp: Ballot = 'PPWP';

    await operator.me();
    await official.election();
    await official.region(DESA);
    await operator.tpsBallots(tps(1));
    await operator.validate(tps(1), ppwp, ppwpForm({ '01': 50, '02': 120, '03': 10 }));
    const body = { tpsCode: tps(1), ballot: ppwp, clientRequestId: newCrid(), form: ppwpForm({ '01': 50, '02': 120, '03': 10 }) };
    await operator.submit(body);
    await operator.submit(body); // 200: the same request again
    await errorOf(operator.submit({ ...body, clientRequestId: newCrid() })); // 409
    await errorOf(operator.submit({ ...body, tpsCode: tps(2), form: { votes: { '01': -1 } } as never })); // 400
    await errorOf(operator.submit({ ...body, tpsCode: '1222012002001' })); // 403 outside the desa
    await operator.submit({ tpsCode: tps(2), ballot: ppwp, clientRequestId: newCrid(), form: ppwpForm({ '01': 500, '02': 1, '03': 1 }, 0) });
    const photo = await operator.uploadPhoto(tps(1), ppwp, new Blob([new Uint8Array(await sheet())], { type: 'image/jpeg' }));
    // Visible once the photo's read model has it.
    await eventually('the photo to be readable', () => operator.photo(photo.body.sha256, 'thumb').catch(() => undefined));
    await verifier.result(tps(1), ppwp);
    await verifier.history(tps(1), ppwp);
    const current = await verifier.result(tps(1), ppwp);
    await verifier.verify(tps(1), ppwp, current.version);
    await errorOf(verifier.verify(tps(1), ppwp, 0)); // 409
    await verifier.results({ status: ['submitted', 'verified'] });
    await official.tally(DESA, ppwp);
    await official.tally('1222', ppwp);
    await errorOf(official.tally('9999', ppwp)); // 404
    await official.anomalies();
    await errorOf(operator.tally(DESA, ppwp)); // 403
    await errorOf(anonymous.me()); // 401
    await t.admin.samplePlan({ size: 200 });
    await errorOf(official.quickcount(ppwp)); // 404 before a sample is drawn
    await t.admin.drawSample({ ballot: ppwp, size: 50, seed: 'openapi' });
    await official.quickcount(ppwp);
    await t.admin.users();
    await t.admin.audit(5);
    const created = await t.admin.createUser({ username: `oas${Date.now().toString(36)}`, password: 'Merah-Putih-2024!x', role: 'official' });
    await t.admin.disableUser(created.id);
    await t.admin.enableUser(created.id);
    await t.admin.revokeTokens(created.id);
    await official.seals(5);
    await fetch(`${t.url}/health`);
    await fetch(`${t.url}/health`, { headers: { authorization: `Bearer ${t.admin.token}` } });
    await t.admin.resetSimulation();
    await operator.logout();

    const validate = openApiValidator(spec);
    const seen = captured.filter((r) => r.route !== '/api/openapi.json');
    const problems = seen.flatMap(validate);
    expect(problems).toEqual([]);
    const statuses = new Set(seen.map((r) => r.status));
    for (const s of [200, 201, 204, 400, 401, 403, 404, 409]) expect(statuses, `a ${s} was checked`).toContain(s);
    expect(new Set(seen.map((r) => `${r.method} ${r.route}`)).size).toBeGreaterThan(25);
  });

  it('serves the docs page and its assets from this server, under the CSP', async () => {
    const page = await fetch(`${t.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:'));
    expect(assets.length).toBe(3);
    for (const asset of assets) {
      expect(asset.startsWith('/api/docs/'), asset).toBe(true);
      const res = await fetch(`${t.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect((await res.text()).length).toBeGreaterThan(50);
    }
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]/); // no inline script: the CSP would refuse it
    expect((await fetch(`${t.url}/api/docs/package.json`)).status).toBe(404);
  });
});
