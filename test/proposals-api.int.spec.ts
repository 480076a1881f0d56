import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuaraClient } from '@suara/contracts';
import { backends, bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually } from './support/http';

/** API.md "Corrections the operator confirms": the proposal lifecycle and separation of duties, over HTTP. */

const DESA = '1222011001'; // Kelurahan Kotapinang
const OTHER_DESA = '1222012002'; // Simatahari
const tps = (n: number, desa = DESA) => `${desa}${String(n).padStart(3, '0')}`;
let crid = 0;
const newCrid = () => `prop-${Date.now().toString(36)}-${++crid}`;
const before = ppwpForm({ '01': 70, '02': 100, '03': 30 });
const after = ppwpForm({ '01': 71, '02': 100, '03': 30 });
const reason = 'Salah baca angka 71 sebagai 70';

describe.each(backends())('correction proposals over HTTP on %s', (backend) => {
  let t: TestApp;
  let operator: SuaraClient;
  let otherOperator: SuaraClient;
  let tpsOnlyOperator: SuaraClient;
  let rina: SuaraClient;
  let adi: SuaraClient;

  beforeAll(async () => {
    t = await bootApp(backend);
    operator = await t.userClient('operator', [DESA]);
    otherOperator = await t.userClient('operator', [OTHER_DESA]);
    tpsOnlyOperator = await t.userClient('operator', [tps(9)]);
    rina = await t.userClient('verifier', undefined, `rina${Date.now().toString(36)}`);
    adi = await t.userClient('verifier');
  });
  afterAll(async () => t?.close());

  async function submitted(n: number, desa = DESA, by = operator): Promise<string> {
    const code = tps(n, desa);
    expect((await by.submit({ tpsCode: code, ballot: 'PPWP', clientRequestId: newCrid(), form: before })).status).toBe(201);
    return code;
  }

  it('propose: 202, tallies and result unchanged; the operator confirms: the correction applies and the history names both', async () => {
    const code = await submitted(1);
    const proposed = await rina.propose(code, 'PPWP', { expectedVersion: 1, form: after, reason });
    expect(proposed.status).toBe(202);
    expect(proposed.body).toMatchObject({ proposalId: `${code}-PPWP-2`, status: 'proposed', proposal: { status: 'open', before, after, reason } });
    expect(await adi.result(code, 'PPWP')).toMatchObject({ status: 'submitted', form: before, version: 2 });
    const tally = await eventually('the submission in the tally', async () => {
      const v = await adi.tally(code, 'PPWP');
      return v.progress.tpsReported === 1 ? v : undefined;
    });
    expect(tally.totals.votes['01']).toBe(70);

    const open = await eventually('the operator lists the open proposal', async () => {
      const list = await operator.proposals();
      return list.find((p) => p.proposalId === proposed.body.proposalId);
    });
    expect(open).toMatchObject({ tpsCode: code, before, after, reason, proposedBy: { username: expect.stringMatching(/^rina/) } });

    const answer = await operator.confirmProposal(proposed.body.proposalId);
    expect(answer.proposal).toMatchObject({ status: 'confirmed', answeredBy: { username: expect.any(String) } });
    expect(answer.result).toMatchObject({ status: 'corrected', form: after, version: 3 });
    await eventually('the confirmed correction in the tally', async () => ((await adi.tally(code, 'PPWP')).totals.votes['01'] === 71 ? true : undefined));

    const history = await adi.history(code, 'PPWP');
    expect(history.map((h) => h.type)).toEqual(['ResultSubmitted', 'CorrectionProposed', 'ResultCorrected']);
    expect(history[2].by.role).toBe('operator');
    expect(history[2].data).toMatchObject({ confirmedVia: 'app', proposalId: proposed.body.proposalId, proposedBy: { username: expect.stringMatching(/^rina/) }, before, after });
    expect((await operator.proposals()).some((p) => p.proposalId === proposed.body.proposalId)).toBe(false);
  });

  it('the phone path still applies at once and is marked "phone"', async () => {
    const code = await submitted(2);
    const corrected = await rina.correct(code, 'PPWP', { expectedVersion: 1, form: after, reason, operatorConfirmation: 'Dikonfirmasi Budi via telepon' });
    expect(corrected).toMatchObject({ status: 'corrected', version: 2 });
    expect((await adi.history(code, 'PPWP'))[1].data).toMatchObject({ confirmedVia: 'phone', operatorConfirmation: 'Dikonfirmasi Budi via telepon' });
  });

  it('dispute: closes unapplied with the operator reason; a dispute without a reason is 400', async () => {
    const code = await submitted(3);
    const { body } = await rina.propose(code, 'PPWP', { expectedVersion: 1, form: after, reason });
    const noReason = await errorOf(operator.disputeProposal(body.proposalId, ''));
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues!.map((i) => i.path)).toContain('reason');
    const answer = await operator.disputeProposal(body.proposalId, 'Di lembar C.Hasil tertulis 70');
    expect(answer.proposal).toMatchObject({ status: 'disputed', answerReason: 'Di lembar C.Hasil tertulis 70' });
    expect(answer.result).toMatchObject({ status: 'submitted', form: before });
    const again = await errorOf(operator.confirmProposal(body.proposalId));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'proposal_closed', details: { proposalStatus: 'disputed' } });
  });

  it('stale: a newer proposal, or a version change, makes the old one 409 saying what is stored', async () => {
    const code = await submitted(4);
    const first = (await rina.propose(code, 'PPWP', { expectedVersion: 1, form: after, reason })).body;
    const second = (await adi.propose(code, 'PPWP', { expectedVersion: 2, form: ppwpForm({ '01': 72, '02': 100, '03': 30 }), reason })).body;
    const stale = await errorOf(operator.confirmProposal(first.proposalId));
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'proposal_stale', details: { latestProposalId: second.proposalId, currentVersion: 3 } });
    expect(stale.body.message).toContain(second.proposalId);

    await rina.verify(code, 'PPWP', 3);
    const afterVerify = await errorOf(operator.confirmProposal(second.proposalId));
    expect(afterVerify.body).toMatchObject({ error: 'proposal_stale', details: { status: 'verified', currentVersion: 4 } });
  });

  it('withdrawn: only by its proposer; then it cannot be confirmed', async () => {
    const code = await submitted(5);
    const { body } = await rina.propose(code, 'PPWP', { expectedVersion: 1, form: after, reason });
    const notMine = await errorOf(adi.withdrawProposal(body.proposalId));
    expect(notMine).toMatchObject({ status: 403, body: { error: 'not_proposer' } });
    expect((await rina.withdrawProposal(body.proposalId)).proposal.status).toBe('withdrawn');
    expect((await errorOf(operator.confirmProposal(body.proposalId))).body).toMatchObject({ error: 'proposal_closed', details: { proposalStatus: 'withdrawn' } });
  });

  it('wrong operator and wrong scope: 403; verifiers may not confirm; unknown ids 404; malformed ids 400', async () => {
    const code = await submitted(6);
    const { body } = await rina.propose(code, 'PPWP', { expectedVersion: 1, form: after, reason });
    expect((await errorOf(otherOperator.confirmProposal(body.proposalId))).status).toBe(403);
    expect((await errorOf(otherOperator.disputeProposal(body.proposalId, 'bukan TPS saya sama sekali'))).status).toBe(403);
    expect((await errorOf(tpsOnlyOperator.confirmProposal(body.proposalId))).status).toBe(403);
    expect((await errorOf(otherOperator.proposal(body.proposalId))).status).toBe(403);
    expect((await errorOf(adi.confirmProposal(body.proposalId))).status).toBe(403);
    expect((await otherOperator.proposals()).some((p) => p.tpsCode === code)).toBe(false);
    expect((await errorOf(operator.confirmProposal(`${code}-PPWP-9`))).status).toBe(404);
    expect((await errorOf(operator.confirmProposal('bukan-usulan'))).body).toMatchObject({ error: 'invalid_input' });
    expect((await operator.proposal(body.proposalId)).status).toBe('open');
  });

  it('separation of duties: the verifier who corrected or proposed may not verify; the queue says who corrected', async () => {
    const phone = await submitted(7);
    await rina.correct(phone, 'PPWP', { expectedVersion: 1, form: after, reason, operatorConfirmation: 'Budi via telepon' });
    const own = await errorOf(rina.verify(phone, 'PPWP', 2));
    expect(own.status).toBe(403);
    expect(own.body.error).toBe('own_correction');
    expect(own.body.message).toMatch(/verifikator lain/);

    const app = await submitted(8);
    const { body } = await rina.propose(app, 'PPWP', { expectedVersion: 1, form: after, reason });
    expect((await errorOf(rina.verify(app, 'PPWP', 2))).body.error).toBe('own_correction');
    await operator.confirmProposal(body.proposalId);
    expect((await errorOf(rina.verify(app, 'PPWP', 3))).body.error).toBe('own_correction');

    const queue = await eventually('both corrections in the queue', async () => {
      const q = await adi.results({ ballot: 'PPWP', status: ['corrected'] });
      return q.filter((r) => r.tpsCode === phone || r.tpsCode === app).length === 2 ? q : undefined;
    });
    const rinaId = (await adi.result(phone, 'PPWP')).correctedBy;
    expect(rinaId).toBeTruthy();
    expect(queue.filter((r) => r.tpsCode === phone || r.tpsCode === app).map((r) => r.correctedBy)).toEqual([rinaId, rinaId]);
    expect(await adi.verify(phone, 'PPWP', 2)).toMatchObject({ status: 'verified' });
    expect(await adi.verify(app, 'PPWP', 3)).toMatchObject({ status: 'verified' });
  });
});

describe('an expired proposal', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp(backends().at(-1)!, { SUARA_PROPOSAL_TTL: '1' });
  });
  afterAll(async () => t?.close());

  it('cannot be confirmed (409 proposal_expired) and is listed as expired', async () => {
    const operator = await t.userClient('operator', [DESA]);
    const verifier = await t.userClient('verifier');
    await operator.submit({ tpsCode: tps(1), ballot: 'PPWP', clientRequestId: newCrid(), form: before });
    const { body } = await verifier.propose(tps(1), 'PPWP', { expectedVersion: 1, form: after, reason });
    await new Promise((r) => setTimeout(r, 1200));
    const expired = await errorOf(operator.confirmProposal(body.proposalId));
    expect(expired.status).toBe(409);
    expect(expired.body).toMatchObject({ error: 'proposal_expired', details: { expiresAt: body.proposal.expiresAt } });
    const listed = await eventually('the expired proposal listed', async () => (await verifier.proposals(['expired'])).find((p) => p.proposalId === body.proposalId));
    expect(listed.status).toBe('expired');
    expect(await operator.proposals()).toEqual([]);
  });
});
