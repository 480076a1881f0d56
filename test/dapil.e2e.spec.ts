import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEAT_PROJECTION_LABEL, type DapilTallyView, type SuaraClient } from '@suara/contracts';
import { backends, bootApp, type TestApp } from './support/app';
import { connectLive, type LiveSocket } from './support/live-client';
import { eventually, statusOf } from './support/http';

const DESA = '1222011001'; // Kelurahan Kotapinang, placeholder dapil DPRD-LABUSEL-01
const TPS = `${DESA}001`;

describe.each(backends())('Pileg by dapil over HTTP and /live on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let official: SuaraClient;
  const sockets: LiveSocket[] = [];

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [DESA]);
    official = await t.userClient('official');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
  });

  it('lists the dapils of a ballot with their seats and whether they lie wholly in the deployment', async () => {
    const kab = await official.dapils('DPRD_KAB');
    expect(kab.map((d) => [d.code, d.seats, d.whole])).toEqual([
      ['DPRD-LABUSEL-01', 7, true], ['DPRD-LABUSEL-02', 7, true], ['DPRD-LABUSEL-03', 12, true], ['DPRD-LABUSEL-04', 5, true], ['DPRD-LABUSEL-05', 4, true],
    ]);
    expect((await official.dapils('DPR')).map((d) => [d.code, d.whole])).toEqual([['DPR-SUMUT-2', false]]);
    expect(await statusOf(official.dapils('PPWP'))).toBe(400);
    expect(await statusOf(official.dapilTally('NO-SUCH-DAPIL', 'DPRD_KAB'))).toBe(404);
  });

  it('operators never see dapils or their tallies, over HTTP or /live', async () => {
    expect(await statusOf(operator.dapils())).toBe(403);
    expect(await statusOf(operator.dapilTally('DPRD-LABUSEL-01', 'DPRD_KAB'))).toBe(403);
    const socket = await connectLive(t.url, operator.token);
    sockets.push(socket);
    expect(await socket.timeout(30_000).emitWithAck('subscribeDapil', { dapilCode: 'DPRD-LABUSEL-01', ballot: 'DPRD_KAB' })).toMatchObject({ ok: false, error: 'forbidden' });
  });

  it('a dapil room answers with the dapil tally and pushes a submission; seats come with the label and the votes they rest on', async () => {
    const socket = await connectLive(t.url, official.token);
    sockets.push(socket);
    const pushes: DapilTallyView[] = [];
    socket.on('tally', (v) => {
      if ('dapil' in v) pushes.push(v);
    });
    const ack = await socket.timeout(30_000).emitWithAck('subscribeDapil', { dapilCode: 'DPRD-LABUSEL-01', ballot: 'DPRD_KAB' });
    if (!ack.ok) throw new Error(ack.message);
    expect(ack.tally).toMatchObject({ dapil: { code: 'DPRD-LABUSEL-01', seats: 7, whole: true }, progress: { tpsReported: 0 }, seats: [] });

    const form = { votes: { '2': { party: 10, candidates: { '1': 30 } }, '5': { party: 4, candidates: { '1': 16 } } }, valid: 60, invalid: 2 };
    expect((await operator.submit({ tpsCode: TPS, ballot: 'DPRD_KAB', clientRequestId: 'dapil-e2e-1', form })).status).toBe(201);
    const pushed = await eventually('the dapil push', () => pushes.find((p) => p.progress.tpsReported === 1));
    expect(pushed.totals.parties).toEqual({ '2': { party: 10, candidates: { '1': 30 }, total: 40 }, '5': { party: 4, candidates: { '1': 16 }, total: 20 } });
    expect(pushed.seatsLabel).toBe(SEAT_PROJECTION_LABEL);
    // 40, 20, 13.3, 8, 6.7, 5.7, 4.4 → party 2 five seats, party 5 two.
    expect(pushed.seats).toEqual([{ party: '2', seats: 5, votes: 40 }, { party: '5', seats: 2, votes: 20 }]);
    expect(await official.dapilTally('DPRD-LABUSEL-01', 'DPRD_KAB')).toEqual(pushed);
    const kabupaten = await official.tally('1222', 'DPRD_KAB');
    expect(kabupaten.totals.byDapil).toEqual({ 'DPRD-LABUSEL-01': { '2': 40, '5': 20 } });
    expect(Object.keys(kabupaten.totals.votes).some((k) => k.includes('.c'))).toBe(false);
  });
});
