import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TallyView } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { desaOf, SuaraClient } from '@suara/contracts';
import { createPostgresTestDatabase, describeIfPostgres, type PostgresTestDatabase } from '../services/src/db/test-support/test-database';
import { eventually, statusOf } from './support/http';
import { startServer, type RunningServer } from './support/server';

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

/** POST /api/admin/election/phase with any phase, typed or not. */
async function postPhase(url: string, token: string, phase: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/admin/election/phase`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ phase }),
  });
  return { status: res.status, body: await res.json() };
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

  it('lets no other role switch the phase, reset the simulation or draw a sample', async () => {
    const before = await t.admin.election();
    for (const role of ['operator', 'verifier', 'official'] as const) {
      const c = role === 'operator' ? operator : role === 'official' ? official : await t.userClient(role);
      expect(await statusOf(c.switchToReal()), `${role} switching to real`).toBe(403);
      expect(await statusOf(c.resetSimulation()), `${role} resetting the simulation`).toBe(403);
      expect(await statusOf(c.drawSample({ ballot: 'DPD', size: 40, seed: 'bukan-admin' })), `${role} drawing a sample`).toBe(403);
    }
    expect(await t.admin.election()).toEqual(before);
    expect(await statusOf(official.quickcount('DPD'))).toBe(404);
  });

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
    // No way back, not even by asking for it.
    expect(await postPhase(t.url, t.admin.token!, 'simulation')).toMatchObject({ status: 400, body: { error: 'invalid_input', issues: [expect.objectContaining({ path: 'phase' })] } });
    expect(await official.election()).toMatchObject({ mode: 'real', activeElectionId: election.id });
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
    const op = mine.length ? operator : await t.userClient('operator', [desaOf(sample.tpsCodes[0])]);
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

/**
 * Two processes on one database: each caches the phase for a second, so the switch made through A
 * must reach B by itself, and B must then refuse everything A refuses.
 */
describeIfPostgres('the one-way phase switch across two processes', () => {
  let pg: PostgresTestDatabase;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    pg = await createPostgresTestDatabase();
    a = await startServer({ env: { DATABASE_URL: pg.url } });
    b = await startServer({ env: { DATABASE_URL: pg.url, ROLES: 'command,live' } });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await pg?.drop();
  });

  it('a switch through A holds on B: real there too, no reset, no way back, results in the real election', async () => {
    const [adminA, adminB] = [new SuaraClient(a.url), new SuaraClient(b.url)];
    await adminA.login(a.adminUser, a.adminPassword);
    await adminB.login(b.adminUser, b.adminPassword);
    const simulation = await adminB.election();
    expect(simulation.mode).toBe('simulation');
    await adminA.createUser({ username: 'op-dua-proses', password: 'Uji-Sandi-Kuat-2024', role: 'operator', scope: ['1222011001'] });
    const operatorB = new SuaraClient(b.url);
    await operatorB.login('op-dua-proses', 'Uji-Sandi-Kuat-2024');

    await adminA.switchToReal();
    const real = await eventually('B to see the real phase', async () => {
      const e = await adminB.election();
      return e.mode === 'real' ? e : undefined;
    });
    expect(real.activeElectionId).toBe(simulation.id);
    expect(await statusOf(adminB.resetSimulation())).toBe(409);
    expect(await statusOf(adminB.switchToReal())).toBe(409);
    expect(await postPhase(b.url, adminB.token!, 'simulation')).toMatchObject({ status: 400, body: { error: 'invalid_input', issues: [expect.objectContaining({ path: 'phase' })] } });
    expect(await adminA.election()).toMatchObject({ mode: 'real', activeElectionId: simulation.id });

    const res = await operatorB.submit({ tpsCode: '1222011001001', ballot: 'PPWP', clientRequestId: crid(), form: ppwpForm({ '01': 5, '02': 6, '03': 7 }) });
    expect(res.status).toBe(201);
    const tally = await eventually('the result in the real tally', async () => {
      const v = await adminA.tally(KABUPATEN, 'PPWP');
      return v.progress.tpsReported === 1 ? v : undefined;
    });
    expect(tally).toMatchObject({ electionId: simulation.id, totals: { valid: 18 } });
  });
});
