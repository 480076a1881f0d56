import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ballot, QuickCountView, SuaraClient } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually, statusOf } from './support/http';
import { connectLive } from './support/live-client';
import { desaOf } from '@suara/contracts';

let n = 0;
const crid = () => `qc-${Date.now().toString(36)}-${++n}`;
const PARTIES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17', '24'];

/** A party-list form with party-only votes: parties 2 and 5 lead, the rest share what is left. */
function partyForm(i: number) {
  const votes = Object.fromEntries(PARTIES.map((p, k) => [p, { party: p === '2' ? 60 + (i % 7) : p === '5' ? 40 + (i % 5) : 5 + ((i + k) % 4), candidates: {} }]));
  const valid = Object.values(votes).reduce((a, v) => a + v.party, 0);
  return { votes, valid, invalid: 4 };
}

/** Polls the quick count until `until` holds: the projector runs asynchronously. */
async function quickcountWhen(client: SuaraClient, ballot: Ballot, until: (v: QuickCountView) => boolean): Promise<QuickCountView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await client.quickcount(ballot);
    if (until(v)) return v;
    if (Date.now() > deadline) throw new Error(`quick count never matched: ${v.sample.received} in`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe.each(backends())('quick count on a real evening on %s: planner, call, Pileg by dapil', (backend) => {
  let t: TestApp;
  let official: SuaraClient;
  let operator: SuaraClient;
  let sampleTps: string[] = [];

  beforeAll(async () => {
    t = await bootApp(backend);
    official = await t.userClient('official');
    const sample = await t.admin.drawSample({ ballot: 'PPWP', size: 20, seed: 'malam-nyata' });
    sampleTps = sample.tpsCodes;
    operator = await t.userClient('operator', [...new Set(sampleTps.map(desaOf))]);
  });
  afterAll(async () => t?.close());

  it('plans a sample before drawing: the margin a size buys, for admins only, sizes checked', async () => {
    const plan = await t.admin.samplePlan({ size: 200 });
    expect(plan.strata.map((s) => s.size).reduce((a, b) => a + b, 0)).toBe(200);
    expect(plan.moe).toBeGreaterThan(0.005);
    expect(plan.moe).toBeLessThan(0.05);
    expect(plan.moeHalfIn).toBeGreaterThan(plan.moe);
    const wider = await t.admin.samplePlan({ size: 200, spread: 0.25 });
    expect(wider.moe).toBeGreaterThan(plan.moe);
    expect((await t.admin.samplePlan({ size: 400 })).moe).toBeLessThan(plan.moe);
    expect(await statusOf(official.samplePlan({ size: 200 }))).toBe(403);
    const small = await errorOf(t.admin.samplePlan({ size: 3 }));
    expect(small.status).toBe(400);
    expect(small.body.issues?.map((i) => i.path)).toEqual(['size']);
    const spread = await errorOf(t.admin.samplePlan({ size: 200, spread: 2 }));
    expect(spread.status).toBe(400);
    expect(spread.body.issues?.map((i) => i.path)).toEqual(['spread']);
  });

  it('says what it covers and calls the PPWP leader once the sample is in, at the arrival that decided it, pushed live', async () => {
    const before = Date.now();
    const socket = await connectLive(t.url, official.token);
    const pushes: QuickCountView[] = [];
    socket.on('quickcount', (q) => pushes.push(q));
    const ack = await socket.timeout(30_000).emitWithAck('subscribeQuickcount', { ballot: 'PPWP' });
    expect(ack.ok && ack.view?.calls).toEqual([]);
    const early = await official.quickcount('PPWP');
    expect(early.coverage).toEqual({ regionCode: '1222', name: 'Kabupaten Labuhanbatu Selatan' });
    expect(early.sampleBallot).toBe('PPWP');
    expect(early.calls).toEqual([]);
    expect(early.callConfidence).toBe(0.99);
    for (const [i, tps] of sampleTps.entries()) {
      const res = await operator.submit({ tpsCode: tps, ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 40 + (i % 9), '02': 140 + (i % 13), '03': 15 + (i % 4) }) });
      expect(res.status).toBe(201);
    }
    const view = await quickcountWhen(official, 'PPWP', (v) => v.sample.received === sampleTps.length);
    expect(view.preliminary).toBe(false);
    expect(view.calls!.map((c) => [c.kind, c.option, c.holds])).toEqual([['majority', '02', true], ['lead', '02', true]]);
    for (const c of view.calls!) {
      expect(Date.parse(c.since)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(c.since)).toBeLessThanOrEqual(Date.now());
      expect(c.received).toBeGreaterThanOrEqual(sampleTps.length / 2);
    }
    const pushed = await eventually('the call pushed on the quickcount socket', () => pushes.find((p) => (p.calls?.length ?? 0) === 2));
    expect(pushed.calls).toEqual(view.calls);
    socket.close();
  });

  it('estimates Pileg party shares per dapil from the same sample, with seat ranges for the dapils wholly here', async () => {
    for (const [i, tps] of sampleTps.entries()) {
      expect((await operator.submit({ tpsCode: tps, ballot: 'DPRD_KAB', clientRequestId: crid(), form: partyForm(i) })).status).toBe(201);
    }
    const view = await quickcountWhen(official, 'DPRD_KAB', (v) => v.sample.received === sampleTps.length);
    expect(view.sampleBallot).toBe('PPWP');
    expect(view.calls).toBeUndefined();
    expect(view.dapils!.map((d) => d.code)).toEqual(['DPRD-LABUSEL-01', 'DPRD-LABUSEL-02', 'DPRD-LABUSEL-03', 'DPRD-LABUSEL-04', 'DPRD-LABUSEL-05']);
    for (const d of view.dapils!) {
      expect(d.whole).toBe(true);
      expect(d.received).toBe(d.sampleSize);
      const two = d.estimates.find((e) => e.option === '2')!;
      expect(two.share).toBeGreaterThan(0.25);
      expect(d.seatRanges!.reduce((a, r) => a + r.seats, 0)).toBe(d.seats);
      const top = d.seatRanges!.find((r) => r.party === '2')!;
      expect(top.low).toBeLessThanOrEqual(top.seats);
      expect(top.high).toBeGreaterThanOrEqual(top.seats);
    }
    // DPR's dapil reaches beyond this kabupaten: shares for the part here, no seats
    const dpr = await official.quickcount('DPR');
    expect(dpr.dapils).toHaveLength(1);
    expect(dpr.dapils![0]).toMatchObject({ code: 'DPR-SUMUT-2', whole: false, received: 0 });
    expect(dpr.dapils![0].seatRanges).toBeUndefined();
    expect(await statusOf(operator.quickcount('DPRD_KAB'))).toBe(403);
  });
});
