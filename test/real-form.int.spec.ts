import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually } from './support/http';

/** Issue 15, the real form: as written, on behalf, and the desa-share flag fed from the read side. */

const DESA = '1222011001'; // Kelurahan Kotapinang
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
let crid = 0;
const newCrid = () => `real-${Date.now().toString(36)}-${++crid}`;

/** A real C.Hasil whose KPPS added the valid votes up wrong (180 on the paper, 181 written). */
const slipped = () => ({ votes: { '01': 50, '02': 120, '03': 10 }, valid: 181, invalid: 4, objections: 0, notes: 'tidak ada kejadian khusus' });

describe.each(backends())('the real form over HTTP on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let verifier: SuaraClient;

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [DESA]);
    verifier = await t.userClient('verifier');
  });
  afterAll(async () => t?.close());

  it('refuses a slip with 400 saying it may be stored as written; with asWritten stores it flagged and first in the queue; a correction fixes it', async () => {
    const body = { tpsCode: tps(1), ballot: 'PPWP' as const, clientRequestId: newCrid(), form: slipped() };
    const err = await errorOf(operator.submit(body));
    expect(err.status).toBe(400);
    expect(err.body.issues!.map((i) => i.path)).toEqual(['form.valid']);
    expect(err.body.details).toEqual({ canStoreAsWritten: true });
    expect((await verifier.result(tps(1), 'PPWP')).status).toBe('empty');

    // A flagged but consistent result, so the queue has something else to put first.
    await operator.submit({ tpsCode: tps(2), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': 0, '02': 0, '03': 0 }, 0) });
    const stored = await operator.submit({ ...body, form: { ...slipped(), asWritten: true } });
    expect(stored.status).toBe(201);
    expect(stored.body.flags).toEqual([expect.objectContaining({ code: 'inconsistent_as_written', path: 'form.valid' })]);
    expect((await verifier.result(tps(1), 'PPWP')).form).toEqual({ ...slipped(), asWritten: true });

    const queue = await eventually('both results in the queue', async () => {
      const q = await verifier.results({ ballot: 'PPWP' });
      return q.length >= 2 ? q : undefined;
    });
    expect(queue[0].tpsCode).toBe(tps(1));

    const fixed = await verifier.correct(tps(1), 'PPWP', {
      expectedVersion: 1, form: { ...slipped(), valid: 180 }, reason: 'jumlah suara sah di kertas salah jumlah', operatorConfirmation: 'KPPS dikonfirmasi via telepon, Budi',
    });
    expect(fixed.flags.map((f) => f.code)).not.toContain('inconsistent_as_written');
  });

  it('refuses asWritten for an option not on the ballot', async () => {
    const err = await errorOf(operator.submit({
      tpsCode: tps(3), ballot: 'PPWP', clientRequestId: newCrid(), form: { ...slipped(), votes: { '01': 50, '04': 120 }, asWritten: true },
    }));
    expect(err.status).toBe(400);
    expect(err.body.issues!.map((i) => i.path)).toContain('form.votes.04');
    expect(err.body.details).toBeUndefined();
  });

  it('lets a verifier enter a form on behalf of an operator with a reason, flagged and in the history; refuses it without one or from an operator', async () => {
    const base = { tpsCode: tps(4), ballot: 'PPWP' as const, clientRequestId: newCrid(), form: ppwpForm({ '01': 40, '02': 60, '03': 20 }) };
    const missing = await errorOf(verifier.submit(base));
    expect(missing.status).toBe(400);
    expect(missing.body.issues).toEqual([expect.objectContaining({ path: 'onBehalf.reason' })]);
    const byOperator = await errorOf(operator.submit({ ...base, onBehalf: { reason: 'saya sendiri operatornya' } }));
    expect(byOperator.status).toBe(403);

    const reason = 'HP operator hilang, angka dibacakan KPPS lewat telepon';
    const res = await verifier.submit({ ...base, onBehalf: { reason } });
    expect(res.status).toBe(201);
    const view = await verifier.result(tps(4), 'PPWP');
    expect(view.flags).toContainEqual(expect.objectContaining({ code: 'entered_by_verifier', message: expect.stringContaining(reason) }));
    const [entry] = await verifier.history(tps(4), 'PPWP');
    expect(entry).toMatchObject({ type: 'ResultSubmitted', by: { role: 'verifier' }, data: { onBehalf: { reason } } });
  });

  it('flags a share far off its desa, read from the desa tally at submit time', async () => {
    for (const n of [5, 6, 7]) {
      await operator.submit({ tpsCode: tps(n), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': 150, '02': 20, '03': 10 }) });
    }
    const odd = ppwpForm({ '01': 10, '02': 160, '03': 10 });
    // The desa's shares are cached a few seconds: wait until the dry run sees the TPS reported so far.
    await eventually('the desa tally behind the dry run', async () => {
      const r = await operator.validate(tps(8), 'PPWP', odd);
      return r.warnings.some((w) => w.code === 'off_desa_share') ? r : undefined;
    });
    const res = await operator.submit({ tpsCode: tps(8), ballot: 'PPWP', clientRequestId: newCrid(), form: odd });
    expect(res.status).toBe(201);
    expect(res.body.flags).toContainEqual(expect.objectContaining({ code: 'off_desa_share', path: expect.stringMatching(/^form\.votes\.0[12]$/) }));
  });

  it('compares a verifier correction with the desa\'s other TPS too, its own old numbers left out', async () => {
    const desa = '1222012002'; // Desa Sisumut: its own desa, so the shares are this test's alone
    const at = (n: number) => `${desa}${String(n).padStart(3, '0')}`;
    const sisumut = await t.userClient('operator', [desa]);
    for (const n of [1, 2, 3, 4]) {
      await sisumut.submit({ tpsCode: at(n), ballot: 'PPWP', clientRequestId: newCrid(), form: ppwpForm({ '01': 150, '02': 20, '03': 10 }) });
    }
    await eventually('four TPS of the desa in its tally', async () => ((await t.admin.tally(desa, 'PPWP')).progress.tpsReported === 4 ? true : undefined));
    const corrected = await verifier.correct(at(4), 'PPWP', {
      expectedVersion: 1, form: ppwpForm({ '01': 10, '02': 160, '03': 10 }), reason: 'salah baca angka di foto', operatorConfirmation: 'dikonfirmasi via telepon, operator Sisumut',
    });
    // Compared with TPS 1–3 only: three other TPS, not four (its own 01-heavy numbers are not "the desa").
    expect(corrected.flags).toContainEqual(expect.objectContaining({ code: 'off_desa_share', message: expect.stringContaining('di 3 TPS lain') }));
  });
});
