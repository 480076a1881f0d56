import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuaraClient, TallyView } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { statusOf } from './support/http';

const KABUPATEN = '1222';
let n = 0;
const crid = () => `phase-${Date.now().toString(36)}-${++n}`;


/** Polls the tally until `until` holds: the projector runs asynchronously. */
async function tallyWhen(client: SuaraClient, until: (t: TallyView) => boolean): Promise<TallyView> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const t = await client.tally(KABUPATEN, 'PPWP');
    if (until(t)) return t;
    if (Date.now() > deadline) throw new Error(`tally never matched: ${JSON.stringify(t.totals)} ${JSON.stringify(t.progress)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(backends())('simulation phase and quick count on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let official: SuaraClient;
  const tpsOf = (desa: string, i: number) => `${desa}${String(i).padStart(3, '0')}`;
  const desa = '1222011001';

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [desa]);
    official = await t.userClient('official');
  });
  afterAll(async () => t?.close());

  it('keeps simulation results out of a new simulation run and out of the real election', async () => {
    const election = await official.election();
    expect(election.mode).toBe('simulation');
    const sim1 = election.activeElectionId;
    await operator.submit({ tpsCode: tpsOf(desa, 1), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 10, '02': 20, '03': 30 }) });
    await tallyWhen(official, (x) => x.progress.tpsReported === 1 && x.totals.votes['03'] === 30);

    const reset = await t.admin.resetSimulation();
    expect(reset.activeElectionId).not.toBe(sim1);
    const empty = await official.tally(KABUPATEN, 'PPWP');
    expect(empty.progress.tpsReported).toBe(0);
    expect(empty.totals.valid).toBe(0);
    const again = await operator.submit({ tpsCode: tpsOf(desa, 1), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 1, '02': 2, '03': 3 }) });
    expect(again.status).toBe(201);
    await tallyWhen(official, (x) => x.totals.valid === 6);

    const real = await t.admin.switchToReal();
    expect(real.activeElectionId).toBe(election.id);
    expect((await official.election()).mode).toBe('real');
    expect((await official.tally(KABUPATEN, 'PPWP')).totals.valid).toBe(0);
    expect(await statusOf(t.admin.resetSimulation())).toBe(409);
    expect(await statusOf(t.admin.switchToReal())).toBe(409);
    await operator.submit({ tpsCode: tpsOf(desa, 1), ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 100, '02': 0, '03': 0 }) });
    const realTally = await tallyWhen(official, (x) => x.progress.tpsReported === 1);
    expect(realTally.totals.votes).toMatchObject({ '01': 100, '02': 0, '03': 0 });
    expect(realTally.totals.valid).toBe(100);
  });

  it('draws a reproducible stratified sample and estimates from the sample TPS received', async () => {
    expect(await statusOf(official.quickcount('DPD'))).toBe(404);
    const sample = await t.admin.drawSample({ ballot: 'DPD', size: 40, seed: 'uji-benih' });
    expect(sample.seed).toBe('uji-benih');
    expect(sample.tpsCodes).toHaveLength(40);
    expect(sample.strata).toHaveLength(5);
    for (const s of sample.strata) expect(s.size).toBeGreaterThanOrEqual(2);
    const redraw = await t.admin.drawSample({ ballot: 'DPD', size: 40, seed: 'uji-benih' });
    expect(redraw.tpsCodes).toEqual(sample.tpsCodes);

    const mine = sample.tpsCodes.filter((c) => c.startsWith(desa));
    const op = mine.length ? operator : await t.userClient('operator', [sample.tpsCodes[0].slice(0, 10)]);
    const target = mine[0] ?? sample.tpsCodes[0];
    await op.submit({ tpsCode: target, ballot: 'DPD', clientRequestId: crid(), form: { votes: { '1': 60, '2': 40 }, valid: 100, invalid: 2 } });
    let view = await official.quickcount('DPD');
    const deadline = Date.now() + 15_000;
    while (view.sample.received < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      view = await official.quickcount('DPD');
    }
    expect(view.sample.received).toBe(1);
    expect(view.preliminary).toBe(true);
    const first = view.estimates.find((e) => e.option === '1')!;
    expect(first.share).toBeCloseTo(0.6, 5);
    expect(first.lower).toBeLessThanOrEqual(first.share);
    expect(first.upper).toBeGreaterThanOrEqual(first.share);
    // In the real election a result of the ballot has arrived: the sample can no longer be redrawn.
    expect(await statusOf(t.admin.drawSample({ ballot: 'DPD', size: 40, seed: 'lain' }))).toBe(409);
    expect(await statusOf(operator.quickcount('DPD'))).toBe(403);
  });

  it('records phase switches, simulation resets and sample draws in the audit log', async () => {
    const actions = (await t.admin.audit(200)).map((a) => `${a.action}:${a.actorUsername}`);
    expect(actions).toEqual(expect.arrayContaining(['simulation_reset:admin', 'phase_switched:admin', 'sample_drawn:admin']));
  });
});
