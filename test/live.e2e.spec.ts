import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparePositions, isDapilTally, SuaraClient, type TallyView } from '@suara/contracts';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../services/src/db/test-support/test-database';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { connectLive, connectRefusal, subscribe, TallyWatcher, type LiveSocket } from './support/live-client';
import { startServer, type RunningServer } from './support/server';
import { errorOf, eventually, statusOf } from './support/http';

const DESA = '1222011001'; // Kelurahan Kotapinang
const KECAMATAN = '122201';
const KABUPATEN = '1222';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
let crid = 0;
const newCrid = () => `live-${Date.now().toString(36)}-${++crid}`;



/** Every `tally` push a socket receives, in order. */
function recordPushes(socket: LiveSocket): TallyView[] {
  const pushes: TallyView[] = [];
  socket.on('tally', (t) => {
    if (!isDapilTally(t)) pushes.push(t);
  });
  return pushes;
}

describe.each(backends())('live tallies and tally routes on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let official: SuaraClient;
  let verifier: SuaraClient;
  const sockets: LiveSocket[] = [];
  const live = async (token: string | undefined) => {
    const s = await connectLive(t.url, token);
    sockets.push(s);
    return s;
  };
  const submit = (n: number, votes: Record<string, number>) =>
    operator.submit({ tpsCode: tps(n), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm(votes) });

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [DESA]);
    official = await t.userClient('official');
    verifier = await t.userClient('verifier');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('refuses a socket without a token, or with a bad one', async () => {
    expect(await connectRefusal(t.url, undefined)).toMatchObject({ error: 'unauthenticated' });
    expect(await connectRefusal(t.url, 'not-a-token')).toMatchObject({ error: 'unauthenticated' });
    expect(await connectRefusal(t.url, `${official.token!.slice(0, -4)}AAAA`)).toMatchObject({ error: 'unauthenticated' });
  });

  it('an operator may connect but never subscribe to tallies, nor read them over HTTP', async () => {
    const socket = await live(operator.token);
    expect(await subscribe(socket, DESA, 'PPWP')).toEqual({ ok: false, error: 'forbidden', message: expect.any(String) });
    expect(await statusOf(operator.tally(DESA, 'PPWP'))).toBe(403);
    expect(await statusOf(operator.anomalies())).toBe(403);
  });

  it('answers subscribe with the current tally and pushes the change after an HTTP submission', async () => {
    const socket = await live(official.token);
    const pushes = recordPushes(socket);
    const ack = await subscribe(socket, KABUPATEN, 'PPWP');
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.message}`);
    expect(ack.tally).toEqual(await official.tally(KABUPATEN, 'PPWP'));
    const before = ack.tally;

    expect((await submit(1, { '01': 50, '02': 120, '03': 10 })).status).toBe(201);
    const pushed = await eventually('a push with the submission', () => pushes.find((p) => p.progress.tpsReported === before.progress.tpsReported + 1));
    expect(pushed.region).toEqual({ code: KABUPATEN, level: 'kabupaten', name: expect.any(String) });
    expect(pushed.totals.valid - before.totals.valid).toBe(180);
    expect(pushed.totals.votes['02'] - (before.totals.votes['02'] ?? 0)).toBe(120);
    expect(comparePositions(pushed.position, before.position)).toBeGreaterThan(0);
    expect(pushed).toEqual(await official.tally(KABUPATEN, 'PPWP'));
  });

  it('a correction reaches the rooms of the TPS, its desa, kecamatan and kabupaten; positions never go back', async () => {
    expect((await submit(2, { '01': 10, '02': 20, '03': 30 })).status).toBe(201);
    const socket = await live(official.token);
    const pushes = recordPushes(socket);
    const acks = new Map<string, TallyView>();
    for (const code of [tps(2), DESA, KECAMATAN, KABUPATEN]) {
      const ack = await eventually(`tally of ${code} with TPS 2`, async () => {
        const a = await subscribe(socket, code, 'PPWP');
        return a.ok && (code === tps(2) ? a.tally.totals.valid === 60 : a.tally.children.length > 0) ? a : undefined;
      });
      if (ack.ok) acks.set(code, ack.tally);
    }
    const { version } = await verifier.result(tps(2), 'PPWP');
    await verifier.correct(tps(2), 'PPWP', { expectedVersion: version, form: ppwpForm({ '01': 15, '02': 20, '03': 25 }), reason: 'salah baca C.Hasil', operatorConfirmation: 'dikonfirmasi operator' });

    for (const [code, was] of acks) {
      const now = await eventually(`the correction in the room of ${code}`, () =>
        pushes.filter((p) => p.region.code === code).find((p) => p.totals.votes['01'] === was.totals.votes['01'] + 5),
      );
      expect(now.totals.votes['03']).toBe(was.totals.votes['03'] - 5);
      expect(now.totals.valid).toBe(was.totals.valid);
    }
    const desaPush = pushes.filter((p) => p.region.code === DESA).at(-1)!;
    expect(desaPush.children.find((c) => c.code === tps(2))).toMatchObject({ level: 'tps', status: 'corrected' });
    for (const code of acks.keys()) {
      const positions = [acks.get(code)!.position, ...pushes.filter((p) => p.region.code === code).map((p) => p.position)];
      for (let i = 1; i < positions.length; i++) expect(comparePositions(positions[i], positions[i - 1])).toBeGreaterThanOrEqual(0);
    }
  });

  it('many submissions in a row: the last state always arrives', async () => {
    const socket = await live(official.token);
    const watcher = new TallyWatcher(socket, DESA, 'PPWP');
    await watcher.resubscribe();
    const results = await Promise.all([3, 4, 5, 6, 7, 8, 9, 10].map((n) => submit(n, { '01': n, '02': 1, '03': 1 })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const truth = await eventually('all eight TPS in the read model', async () => {
      const v = await official.tally(DESA, 'PPWP');
      return v.children.filter((c) => c.status !== 'empty').length >= 10 ? v : undefined;
    });
    await eventually('the last state pushed', () => (watcher.latest && comparePositions(watcher.latest.position, truth.position) >= 0 ? true : undefined));
    expect(watcher.latest).toEqual(truth);
    for (let i = 1; i < watcher.pushPositions.length; i++) {
      expect(comparePositions(watcher.pushPositions[i], watcher.pushPositions[i - 1])).toBeGreaterThan(0);
    }
  });

  it('a client that reconnects subscribes again and gets the current state in the ack', async () => {
    const first = await live(official.token);
    const ack1 = await subscribe(first, DESA, 'PPWP');
    first.close();
    expect((await submit(11, { '01': 1, '02': 1, '03': 1 })).status).toBe(201);
    const truth = await eventually('TPS 11 in the read model', async () => {
      const v = await official.tally(DESA, 'PPWP');
      return v.children.find((c) => c.code === tps(11))?.status === 'submitted' ? v : undefined;
    });
    const again = await live(official.token);
    const ack2 = await subscribe(again, DESA, 'PPWP');
    expect(ack1.ok && ack2.ok).toBe(true);
    if (ack2.ok) expect(ack2.tally).toEqual(truth);
  });

  it('subscribeQuickcount: null before a sample is drawn, then the estimate, pushed when a sample TPS reports', async () => {
    const socket = await live(official.token);
    const before = await socket.timeout(30_000).emitWithAck('subscribeQuickcount', { ballot: 'DPD' });
    expect(before).toEqual({ ok: true, view: null });
    const sample = await t.admin.drawSample({ ballot: 'DPD', size: 20, seed: 'live-e2e' });
    const pushes: Array<{ sample: { received: number }; position: string }> = [];
    socket.on('quickcount', (q) => pushes.push(q));
    const ack = await socket.timeout(30_000).emitWithAck('subscribeQuickcount', { ballot: 'DPD' });
    if (!ack.ok || !ack.view) throw new Error('no quick count view in the ack');
    expect(ack.view.sample).toMatchObject({ seed: 'live-e2e', size: sample.size, received: 0 });

    const sampled = sample.tpsCodes[0];
    const sheet = (await official.tpsBallots(sampled)).find((b) => b.ballot === 'DPD')!;
    const [first, second] = sheet.options;
    const sampleOperator = await t.userClient('operator', [sampled]);
    const res = await sampleOperator.submit({ tpsCode: sampled, ballot: 'DPD', clientRequestId: newCrid(), form: { votes: { [first.number]: 60, [second.number]: 40 }, valid: 100, invalid: 2 } });
    expect(res.status).toBe(201);
    const pushed = await eventually('a quick count push', () => pushes.find((p) => p.sample.received === 1));
    expect(comparePositions(pushed.position, ack.view.position)).toBeGreaterThan(0);
  });

  it('GET /api/tallies: 404 for an unknown region, 400 for a bad ballot or code; dotted codes accepted', async () => {
    expect(await statusOf(official.tally('1299', 'PPWP'))).toBe(404);
    expect(await statusOf(official.tally('1222011001999', 'PPWP'))).toBe(404);
    expect(await statusOf(official.tally(KABUPATEN, 'PILKADA' as never))).toBe(400);
    expect(await statusOf(official.tally('12x', 'PPWP'))).toBe(400);
    const dotted = await official.tally('12.22.01', 'PPWP');
    expect(dotted.region).toMatchObject({ code: KECAMATAN, level: 'kecamatan' });
    expect(dotted.progress.tpsTotal).toBe(dotted.children.reduce((s, c) => s + c.progress.tpsTotal, 0));
    expect(dotted.totals.valid).toBe(dotted.children.reduce((s, c) => s + c.totals.valid, 0));
  });

  it('GET /api/anomalies lists flagged results worst first', async () => {
    // 310 votes for one paslon: accepted, flagged for a verifier.
    expect((await operator.submit({ tpsCode: tps(12), ballot: 'PPWP', clientRequestId: newCrid(), form: { votes: { '01': 310, '02': 0, '03': 0 }, valid: 310, invalid: 0 } })).status).toBe(201);
    const list = await eventually('the flagged result', async () => {
      const l = await official.anomalies('PPWP');
      return l.some((a) => a.tpsCode === tps(12)) ? l : undefined;
    });
    expect(list.find((a) => a.tpsCode === tps(12))).toMatchObject({ ballot: 'PPWP', status: 'submitted', flags: expect.arrayContaining([expect.objectContaining({ code: 'option_over_300' })]) });
    expect(await official.anomalies('DPD')).toEqual([]);
  });

  // Last: it moves the active election id.
  it('tells connected clients when the simulation is reset (a new election id to subscribe under)', async () => {
    const socket = await live(official.token);
    const notices: Array<{ mode: string; activeElectionId: string }> = [];
    socket.on('election', (info) => notices.push(info));
    const before = await official.election();
    const { activeElectionId } = await t.admin.resetSimulation();
    expect(activeElectionId).not.toBe(before.activeElectionId);
    const notice = await eventually('the election notice', () => notices.find((n) => n.activeElectionId === activeElectionId));
    expect(notice).toEqual({ mode: 'simulation', activeElectionId });
    const ack = await subscribe(socket, KABUPATEN, 'PPWP');
    expect(ack.ok && ack.tally).toMatchObject({ electionId: activeElectionId, progress: { tpsReported: 0 } });
  });
});

/**
 * Two service processes on one PostgreSQL and one Redis: A serves sockets and HTTP (ROLES=live,command),
 * B takes HTTP submissions and projects. Tallies cross from B to A by PostgreSQL NOTIFY (A's own
 * emit to its sockets; Redis is not on that path, see test/reliability/live-faults.int.spec.ts);
 * what crosses through Redis is each user's budget of submissions, counted once for both.
 */
describeIfPostgres('two service processes on one database and one Redis', () => {
  let pg: PostgresTestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  let admin: SuaraClient;
  const sockets: LiveSocket[] = [];
  const SUBMISSIONS_PER_MINUTE = 3;

  beforeAll(async () => {
    pg = await createPostgresTestDatabase({ max: 1 });
    const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
    const env = { DATABASE_URL: pg.url, REDIS_URL: redisUrl, SUARA_SUBMIT_RATE_PER_MIN: String(SUBMISSIONS_PER_MINUTE) };
    b = await startServer({ env: { ...env, ROLES: 'command,projector' } });
    a = await startServer({ env: { ...env, ROLES: 'live,command' } });
    admin = new SuaraClient(b.url);
    await admin.login(b.adminUser, b.adminPassword);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await a?.stop();
    await b?.stop();
    await pg?.drop();
  });

  it('a client on process A gets the push of a submission made through process B', async () => {
    await admin.createUser({ username: 'official-two', password: 'password-official', role: 'official' });
    await admin.createUser({ username: 'operator-two', password: 'password-operator', role: 'operator', scope: [DESA] });
    const official = new SuaraClient(b.url);
    await official.login('official-two', 'password-official');
    const operator = new SuaraClient(b.url);
    await operator.login('operator-two', 'password-operator');

    expect(await connectRefusal(a.url, undefined)).toMatchObject({ error: 'unauthenticated' });
    const socket = await connectLive(a.url, official.token);
    sockets.push(socket);
    const pushes = recordPushes(socket);
    const ack = await subscribe(socket, KABUPATEN, 'PPWP');
    if (!ack.ok) throw new Error(`subscribe on A refused: ${ack.message}`);
    expect(ack.tally.progress.tpsReported).toBe(0);

    const res = await operator.submit({ tpsCode: tps(1), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': 7, '02': 8, '03': 9 }) });
    expect(res.status).toBe(201);
    const pushed = await eventually('the push on A', () => pushes.find((p) => p.progress.tpsReported === 1));
    expect(pushed.totals).toEqual({ votes: { '01': 7, '02': 8, '03': 9 }, valid: 24, invalid: 3 });
    expect(pushed).toEqual(await official.tally(KABUPATEN, 'PPWP'));
    expect(comparePositions(pushed.position, ack.tally.position)).toBeGreaterThan(0);
  });

  it("one operator's submission budget is shared by both processes (counters in Redis)", async () => {
    await admin.createUser({ username: 'operator-budget', password: 'Uji-Sandi-Kuat-2024', role: 'operator', scope: [DESA] });
    const [viaA, viaB] = [a, b].map((p) => new SuaraClient(p.url));
    await viaB.login('operator-budget', 'Uji-Sandi-Kuat-2024');
    viaA.token = viaB.token;
    const submitVia = (client: SuaraClient, n: number) => client.submit({ tpsCode: tps(n), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': n, '02': 1, '03': 1 }) });
    for (let n = 2; n < 2 + SUBMISSIONS_PER_MINUTE - 1; n++) expect((await submitVia(viaB, n)).status).toBe(201);
    expect((await submitVia(viaA, 10)).status).toBe(201);
    // A counting alone would have taken this one too: it has seen only one submission.
    const refused = await errorOf(submitVia(viaA, 11));
    expect(refused).toMatchObject({ status: 429, body: { error: 'rate_limited' } });
    expect(Number(refused.headers?.get('retry-after'))).toBeGreaterThan(0);
  });
});
