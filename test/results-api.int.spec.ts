import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient, type Role } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, statusOf } from './support/http';

const DESA = '1222011001'; // Kelurahan Kotapinang
const OTHER_DESA = '1222012002'; // Simatahari
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
let crid = 0;
const newCrid = () => `req-${Date.now().toString(36)}-${++crid}`;


describe.each(backends())('write side over HTTP on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let verifier: SuaraClient;
  let official: SuaraClient;

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [DESA]);
    verifier = await t.userClient('verifier');
    official = await t.userClient('official');
  });
  afterAll(async () => t?.close());

  it('accepts a first submission with 201, a retry with 200 and the same body, another with 409', async () => {
    const form = ppwpForm({ '01': 50, '02': 120, '03': 10 });
    const body = { tpsCode: tps(1), ballot: 'PPWP' as const, clientRequestId: newCrid(), form };
    const first = await operator.submit(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ tpsCode: tps(1), ballot: 'PPWP', status: 'submitted', version: 1 });
    const retry = await operator.submit(body);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const other = await errorOf(operator.submit({ ...body, clientRequestId: newCrid() }));
    expect(other.status).toBe(409);
    expect(other.body.error).toBe('already_submitted');
    expect(other.body.message).toMatch(/versi 1/);
    expect(other.body.details).toMatchObject({ status: 'submitted', version: 1 });
    const sameIdOtherForm = await errorOf(operator.submit({ ...body, form: ppwpForm({ '01': 51, '02': 120, '03': 10 }) }));
    expect(sameIdOtherForm.body.error).toBe('already_submitted');
    const stored = await official.result(tps(1), 'PPWP');
    expect(stored).toMatchObject({ status: 'submitted', version: 1, form });
  });

  it('rejects an inconsistent form with 400 listing every problem, and stores nothing', async () => {
    const form = { votes: { '01': 50, '02': 120, '09': 1 }, valid: 100, invalid: 4, voters: { dpt: 280, voted: 10 } };
    const err = await errorOf(operator.submit({ tpsCode: tps(2), ballot: 'PPWP', clientRequestId: newCrid(), form }));
    expect(err.status).toBe(400);
    const paths = err.body.issues!.map((i) => i.path);
    expect(paths).toContain('form.votes.09');
    expect(paths).toContain('form.valid');
    expect(paths.some((p) => p.startsWith('form.voters'))).toBe(true);
    expect((await official.result(tps(2), 'PPWP')).status).toBe('empty');
  });

  it('lets exactly one of 50 concurrent different submissions for one TPS and ballot win', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        statusOf(operator.submit({ tpsCode: tps(3), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': i, '02': 100, '03': 5 }) })),
      ),
    );
    expect(answers.filter((s) => s === 201)).toHaveLength(1);
    expect(answers.filter((s) => s === 409)).toHaveLength(49);
    expect((await verifier.history(tps(3), 'PPWP'))).toHaveLength(1);
  });

  it('accepts a party-list ballot with party and candidate votes', async () => {
    const [dpr] = (await operator.tpsBallots(tps(4))).filter((s) => s.ballot === 'DPR');
    const [p1, p2] = dpr.options;
    const votes = { [p1.number]: { party: 10, candidates: { [p1.candidates![0].number]: 5 } }, [p2.number]: { party: 3, candidates: {} } };
    const res = await operator.submit({ tpsCode: tps(4), ballot: 'DPR', clientRequestId: newCrid(), form: { votes, valid: 18, invalid: 2 } });
    expect(res.status).toBe(201);
  });

  it('verifies and corrects with versions, reasons and a history showing before and after', async () => {
    const form = ppwpForm({ '01': 70, '02': 100, '03': 30 });
    const original = { tpsCode: tps(5), ballot: 'PPWP' as const, clientRequestId: newCrid(), form };
    const first = await operator.submit(original);
    const stale = await errorOf(verifier.verify(tps(5), 'PPWP', 0));
    expect(stale.status).toBe(409);
    const noReason = await errorOf(verifier.correct(tps(5), 'PPWP', { expectedVersion: 1, form, reason: '', operatorConfirmation: 'Budi, telepon' }));
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues!.map((i) => i.path)).toContain('reason');
    const after = ppwpForm({ '01': 71, '02': 100, '03': 30 });
    const corrected = await verifier.correct(tps(5), 'PPWP', { expectedVersion: 1, form: after, reason: 'Salah baca angka 71 sebagai 70', operatorConfirmation: 'Dikonfirmasi Budi via telepon' });
    expect(corrected).toMatchObject({ status: 'corrected', version: 2, form: after });
    // Separation of duties: whoever corrected is not who verifies (proposals-api.int.spec.ts has the rest).
    expect((await errorOf(verifier.verify(tps(5), 'PPWP', 2))).body.error).toBe('own_correction');
    const verified = await (await t.userClient('verifier')).verify(tps(5), 'PPWP', 2);
    expect(verified).toMatchObject({ status: 'verified', version: 3 });
    const history = await official.history(tps(5), 'PPWP');
    expect(history.map((h) => h.type)).toEqual(['ResultSubmitted', 'ResultCorrected', 'ResultVerified']);
    expect(history[1].data).toMatchObject({ before: form, after, reason: 'Salah baca angka 71 sebagai 70' });
    expect(history[1].by.role).toBe('verifier');
    expect(history.every((h) => h.at && h.by.userId)).toBe(true);
    // The operator's outbox may retry after the verifier acted: still the same answer.
    const lateRetry = await operator.submit(original);
    expect(lateRetry.status).toBe(200);
    expect(lateRetry.body).toEqual(first.body);
    expect((await errorOf(verifier.correct(tps(6), 'PPWP', { expectedVersion: 0, form: after, reason: 'tidak ada data', operatorConfirmation: 'Budi' }))).status).toBe(409);
  });

  it('lists the verifier queue, flagged results first', async () => {
    const flagged = ppwpForm({ '01': 301, '02': 0, '03': 0 });
    await operator.submit({ tpsCode: tps(10), ballot: 'PPWP', clientRequestId: newCrid(), form: flagged });
    const deadline = Date.now() + 15_000;
    let queue = await verifier.results({ ballot: 'PPWP', status: ['submitted'] });
    while (!queue.some((r) => r.tpsCode === tps(10)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      queue = await verifier.results({ ballot: 'PPWP', status: ['submitted'] });
    }
    expect(queue[0]).toMatchObject({ tpsCode: tps(10), status: 'submitted', version: 1 });
    expect(queue[0].flags.map((f) => f.code)).toContain('option_over_300');
    expect(queue.every((r) => r.status === 'submitted' && r.ballot === 'PPWP')).toBe(true);
    expect(await statusOf(verifier.request('GET', '/api/results?status=bogus'))).toBe(400);
    expect(await statusOf(verifier.request('GET', '/api/results?status=a&status=b'))).toBe(400);
    expect(await statusOf(operator.results())).toBe(403);
  });

  it('narrows the queue to a kecamatan or desa and to a flag, and names a bad filter', async () => {
    const other = await t.userClient('operator', [OTHER_DESA]);
    const highInvalid = ppwpForm({ '01': 40, '02': 50, '03': 10 }, 20);
    await other.submit({ tpsCode: `${OTHER_DESA}001`, ballot: 'PPWP', clientRequestId: newCrid(), form: highInvalid });
    await operator.submit({ tpsCode: tps(11), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': 30, '02': 40, '03': 20 }) });
    const queued = async (query: Parameters<SuaraClient['results']>[0]) => (await verifier.results({ ballot: 'PPWP', status: ['submitted'], ...query })).map((r) => r.tpsCode);
    const deadline = Date.now() + 15_000;
    while (!((await queued({})).includes(`${OTHER_DESA}001`) && (await queued({})).includes(tps(11))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const inOtherDesa = await queued({ region: OTHER_DESA });
    expect(inOtherDesa).toEqual([`${OTHER_DESA}001`]);
    const inDesa = await queued({ region: DESA });
    expect(inDesa).toContain(tps(11));
    expect(inDesa.every((code) => code.startsWith(DESA))).toBe(true);
    expect(await queued({ region: '122201' })).toEqual(expect.arrayContaining([`${OTHER_DESA}001`, tps(11)]));
    expect(await queued({ region: '122202' })).toEqual([]);
    const flagged = await verifier.results({ ballot: 'PPWP', status: ['submitted'], flag: 'high_invalid' });
    expect(flagged.map((r) => r.tpsCode)).toEqual([`${OTHER_DESA}001`]);
    expect(flagged[0].flags.map((f) => f.code)).toContain('high_invalid');
    expect(await queued({ flag: 'high_invalid', region: DESA })).toEqual([]);

    const badRegion = await errorOf(verifier.request('GET', '/api/results?region=12220'));
    expect(badRegion.status).toBe(400);
    expect(badRegion.body.issues?.map((i) => i.path)).toEqual(['region']);
    const badFlag = await errorOf(verifier.request('GET', '/api/results?flag=bogus'));
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.issues?.map((i) => i.path)).toEqual(['flag']);
  });

  it('answers 404 for an unknown TPS and 403 outside the operator scope', async () => {
    const form = ppwpForm({ '01': 1, '02': 2, '03': 3 });
    expect(await statusOf(operator.submit({ tpsCode: '1222011001999', ballot: 'PPWP', clientRequestId: newCrid(), form }))).toBe(404);
    expect(await statusOf(operator.submit({ tpsCode: `${OTHER_DESA}001`, ballot: 'PPWP', clientRequestId: newCrid(), form }))).toBe(403);
    expect(await statusOf(operator.result(`${OTHER_DESA}001`, 'PPWP'))).toBe(403);
    expect(await statusOf(operator.region('1222'))).toBe(403);
    expect((await operator.region(DESA)).children.length).toBe(74);
  });

  it('refuses malformed bodies with 4xx, never 5xx, and stores nothing', async () => {
    const target = tps(7);
    const bad: unknown[] = [
      null, 'x', 42, [], {},
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid() },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': -1 }, valid: -1, invalid: 0 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': 1e12 }, valid: 1e12, invalid: 0 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': '5' }, valid: 5, invalid: 0 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '07': 5 }, valid: 5, invalid: 0 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': 5 }, valid: 5, invalid: 0, extra: 1 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': 5 }, valid: 5, invalid: 0 }, admin: true },
      { tpsCode: target, ballot: 'XXX', clientRequestId: newCrid(), form: { votes: {}, valid: 0, invalid: 0 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: 'a', form: { votes: {}, valid: 0, invalid: 0 } },
      { tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': 1.5 }, valid: 1.5, invalid: 0 } },
    ];
    for (const body of bad) {
      const s = await statusOf(operator.request('POST', '/api/results', body));
      expect(s, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(s, JSON.stringify(body)).toBeLessThan(500);
    }
    const huge = 'x'.repeat(1024 * 1024);
    const res = await fetch(`${t.url}/api/results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}` },
      body: JSON.stringify({ tpsCode: target, ballot: 'PPWP', clientRequestId: newCrid(), form: { pad: huge } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
    const notJson = await fetch(`${t.url}/api/results`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${operator.token}` }, body: '{"tpsCode":' });
    expect(notJson.status).toBe(400);
    expect((await verifier.history(target, 'PPWP'))).toEqual([]);
  });

  it('enforces the role × route matrix', async () => {
    const clients: Record<Role, SuaraClient> = {
      admin: t.admin,
      verifier,
      official,
      operator,
    };
    const anon = new SuaraClient(t.url);
    const form = ppwpForm({ '01': 1, '02': 1, '03': 1 });
    type Call = (c: SuaraClient) => Promise<unknown>;
    // A role not allowed gets 403, unless the route's fourth entry says otherwise.
    const routes: [string, Call, Role[], Partial<Record<Role, number>>?][] = [
      ['GET /api/me', (c) => c.me(), ['admin', 'verifier', 'official', 'operator']],
      ['GET /api/election', (c) => c.election(), ['admin', 'verifier', 'official', 'operator']],
      ['GET /api/regions/:desa', (c) => c.region(DESA), ['admin', 'verifier', 'official', 'operator']],
      ['GET /api/tps/:tps/ballots', (c) => c.tpsBallots(tps(9)), ['admin', 'verifier', 'official', 'operator']],
      ['POST /api/admin/users', (c) => c.createUser({ username: `m${newCrid()}`.slice(0, 30), password: 'Uji-Sandi-Kuat-2024', role: 'official' }), ['admin']],
      ['POST /api/results/validate', (c) => c.validate(tps(9), 'PPWP', form), ['operator', 'verifier']],
      // A verifier may enter a result only on behalf of an operator, with the reason (400 without it).
      ['POST /api/results', (c) => c.submit({ tpsCode: tps(9), ballot: 'PPWP', clientRequestId: 'matrix-crid-1', form }), ['operator'], { verifier: 400 }],
      ['POST /api/results (on behalf)', (c) => c.submit({ tpsCode: tps(10), ballot: 'PPWP', clientRequestId: 'matrix-crid-2', form, onBehalf: { reason: 'operator tidak dapat dihubungi' } }), ['verifier']],
      ['GET /api/results/:tps/:ballot', (c) => c.result(tps(9), 'PPWP'), ['admin', 'verifier', 'official', 'operator']],
      ['GET /api/results/:tps/:ballot/history', (c) => c.history(tps(9), 'PPWP'), ['admin', 'verifier', 'official', 'operator']],
      ['POST /api/results/:tps/:ballot/verify', (c) => c.verify(tps(9), 'PPWP', 99), ['verifier']],
      ['POST /api/results/:tps/:ballot/corrections', (c) => c.correct(tps(9), 'PPWP', { expectedVersion: 99, form, reason: 'uji matriks', operatorConfirmation: 'uji' }), ['verifier']],
      ['GET /api/results (queue)', (c) => c.results({ ballot: 'PPWP' }), ['admin', 'verifier', 'official']],
      ['GET /api/tallies/:region', (c) => c.tally('1222', 'PPWP'), ['admin', 'verifier', 'official']],
      ['GET /api/anomalies', (c) => c.anomalies('PPWP'), ['admin', 'verifier', 'official']],
    ];
    for (const [name, call, allowed, refused] of routes) {
      expect(await statusOf(call(anon)), `${name} anonymous`).toBe(401);
      for (const role of Object.keys(clients) as Role[]) {
        const s = await statusOf(call(clients[role]));
        if (allowed.includes(role)) expect([200, 201, 409], `${name} as ${role}`).toContain(s);
        else expect(s, `${name} as ${role}`).toBe(refused?.[role] ?? 403);
      }
    }
  });
});
