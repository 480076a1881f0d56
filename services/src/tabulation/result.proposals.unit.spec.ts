import { describe, expect, it } from 'vitest';
import type { CHasilForm } from '@suara/contracts';
import { deciderSpec } from './test-support/decider-spec';
import {
  rebuild, resultDecider, toProposalView,
  type ConfirmProposal, type DisputeProposal, type ProposeCorrection, type StoredResultEvent, type VerifyResult, type WithdrawProposal,
} from './result.decider';

/** Two-party corrections (API.md "Corrections the operator confirms") and separation of duties. */

const key = { electionId: 'labusel-2024', tpsCode: '1222011001001', ballot: 'PPWP' as const };
const operator = { userId: 'op-1', role: 'operator' as const };
const rina = { userId: 'ver-rina', role: 'verifier' as const };
const adi = { userId: 'ver-adi', role: 'verifier' as const };
const T0 = '2024-02-14T12:00:00.000Z';
const LATER = '2024-02-14T12:30:00.000Z';
const TOO_LATE = '2024-02-15T00:00:00.000Z';
const TTL = 3600;

const form: CHasilForm = { votes: { '01': 50, '02': 120, '03': 10 }, valid: 180, invalid: 4 };
const fixedForm: CHasilForm = { votes: { '01': 55, '02': 115, '03': 10 }, valid: 180, invalid: 4 };
const otherForm: CHasilForm = { votes: { '01': 60, '02': 110, '03': 10 }, valid: 180, invalid: 4 };
const reason = 'angka paslon 01 dan 02 tertukar saat disalin';

const submitted: StoredResultEvent = {
  type: 'ResultSubmitted', data: { ...key, clientRequestId: 'req-00000001', form, flags: [] }, metadata: { userId: 'op-1', at: T0 },
};
const proposedEvent = (version: number, after: CHasilForm = fixedForm, by = rina): StoredResultEvent => ({
  type: 'CorrectionProposed',
  data: { ...key, proposalId: `1222011001001-PPWP-${version}`, before: form, after, reason, flags: [], expiresAt: '2024-02-14T13:00:00.000Z' },
  metadata: { userId: by.userId, username: by.userId, at: T0 },
});
const proposed = proposedEvent(2);
const photo: StoredResultEvent = {
  type: 'PhotoAttached', data: { ...key, sha256: 'a'.repeat(64), contentType: 'image/jpeg', bytes: 10, width: 1, height: 1, page: 1 },
  metadata: { userId: 'op-1', at: T0 },
};
const verifiedBy = (userId: string): StoredResultEvent => ({ type: 'ResultVerified', data: { ...key }, metadata: { userId, at: T0 } });

const propose = (over: Partial<ProposeCorrection> = {}): ProposeCorrection => ({
  type: 'ProposeCorrection', ...key, expectedVersion: 1, form: fixedForm, flags: [], reason, now: T0, ttlSeconds: TTL, by: rina, ...over,
});
const confirm = (over: Partial<ConfirmProposal> = {}): ConfirmProposal => ({
  type: 'ConfirmProposal', ...key, proposalId: '1222011001001-PPWP-2', now: LATER, by: operator, ...over,
});
const dispute = (over: Partial<DisputeProposal> = {}): DisputeProposal => ({
  type: 'DisputeProposal', ...key, proposalId: '1222011001001-PPWP-2', reason: 'angka di lembar C.Hasil memang 50', now: LATER, by: operator, ...over,
});
const withdraw = (over: Partial<WithdrawProposal> = {}): WithdrawProposal => ({
  type: 'WithdrawProposal', ...key, proposalId: '1222011001001-PPWP-2', now: LATER, by: rina, ...over,
});
const verify = (expectedVersion: number, by = adi): VerifyResult => ({ type: 'VerifyResult', ...key, expectedVersion, by });

const spec = deciderSpec(resultDecider);

describe('result decider: ProposeCorrection', () => {
  it('given submitted, then CorrectionProposed with before, after, reason and the expiry; the numbers stay', () => {
    spec.given([submitted]).when(propose()).then([
      {
        type: 'CorrectionProposed',
        data: { ...key, proposalId: '1222011001001-PPWP-2', before: form, after: fixedForm, reason, flags: [], expiresAt: '2024-02-14T13:00:00.000Z' },
      },
    ]);
    spec.given([submitted]).when(propose()).thenState({ status: 'submitted', form, version: 2 });
  });

  it('the id is the version the proposal makes, so it is unique in its stream', () => {
    spec.given([submitted, photo]).when(propose({ expectedVersion: 2 })).thenDecision({
      events: [expect.objectContaining({ data: expect.objectContaining({ proposalId: '1222011001001-PPWP-3' }) })],
    });
  });

  it('at a stale version, then version_conflict', () => {
    spec.given([submitted, verifiedBy('ver-adi')]).when(propose({ expectedVersion: 1 })).then({ code: 'version_conflict', status: 409 });
  });

  it('without a reason, then reason_required; with the stored numbers, then no_change; before a submission, nothing_submitted', () => {
    spec.given([submitted]).when(propose({ reason: '   ' })).then({ code: 'reason_required', status: 400 });
    spec.given([submitted]).when(propose({ form })).then({ code: 'no_change', status: 400 });
    spec.given([]).when(propose({ expectedVersion: 0 })).then({ code: 'nothing_submitted' });
  });
});

describe('result decider: ConfirmProposal', () => {
  it('given an open proposal, then ResultCorrected marked "app", naming the proposer in its data', () => {
    spec.given([submitted, proposed]).when(confirm()).then([
      {
        type: 'ResultCorrected',
        data: {
          ...key, before: form, after: fixedForm, reason, operatorConfirmation: 'dikonfirmasi operator di aplikasi', flags: [],
          confirmedVia: 'app', proposalId: '1222011001001-PPWP-2', proposedBy: { userId: 'ver-rina', username: 'ver-rina' },
        },
      },
    ]);
  });

  it('then the numbers change, the result is corrected, the proposal confirmed by the operator', () => {
    const state = rebuild([submitted, proposed, { ...resultDecider.decide(confirm(), rebuild([submitted, proposed])).events[0], metadata: { userId: 'op-1', username: 'op-desa', at: LATER } }]);
    expect(state).toMatchObject({ status: 'corrected', form: fixedForm, version: 3, correctedBy: 'ver-rina' });
    expect(toProposalView(key.tpsCode, key.ballot, state, state.proposals[0], LATER)).toMatchObject({
      status: 'confirmed', answeredBy: { userId: 'op-1', username: 'op-desa' }, answeredAt: LATER,
    });
  });

  it('after a photo the proposal is still live (photos never change the numbers)', () => {
    spec.given([submitted, proposed, photo]).when(confirm()).thenState({ status: 'corrected', form: fixedForm, version: 4 });
  });

  it('after a newer proposal, then proposal_stale naming the newer one', () => {
    spec.given([submitted, proposed, proposedEvent(3, otherForm, adi)]).when(confirm()).then({
      code: 'proposal_stale', status: 409, details: { proposalStatus: 'stale', latestProposalId: '1222011001001-PPWP-3', currentVersion: 3 },
    });
  });

  it('after a verification (a version change), then proposal_stale saying what is stored', () => {
    spec.given([submitted, proposed, verifiedBy('ver-adi')]).when(confirm()).then({
      code: 'proposal_stale', status: 409, details: { currentVersion: 3, status: 'verified' },
    });
  });

  it('after its expiry, then proposal_expired', () => {
    spec.given([submitted, proposed]).when(confirm({ now: TOO_LATE })).then({ code: 'proposal_expired', status: 409, details: { expiresAt: '2024-02-14T13:00:00.000Z' } });
  });

  it('twice, then proposal_closed; an unknown id, then proposal_not_found (404)', () => {
    const confirmedEvent = { ...resultDecider.decide(confirm(), rebuild([submitted, proposed])).events[0], metadata: { userId: 'op-1', at: LATER } };
    spec.given([submitted, proposed, confirmedEvent]).when(confirm()).then({ code: 'proposal_closed', status: 409, details: { proposalStatus: 'confirmed' } });
    spec.given([submitted, proposed]).when(confirm({ proposalId: '1222011001001-PPWP-9' })).then({ code: 'proposal_not_found', status: 404 });
  });
});

describe('result decider: DisputeProposal and WithdrawProposal', () => {
  it('a dispute closes the proposal unapplied with the operator reason', () => {
    spec.given([submitted, proposed]).when(dispute()).then([
      { type: 'ProposalDisputed', data: { ...key, proposalId: '1222011001001-PPWP-2', reason: 'angka di lembar C.Hasil memang 50' } },
    ]);
    spec.given([submitted, proposed]).when(dispute()).thenState({ status: 'submitted', form, proposals: [expect.objectContaining({ status: 'disputed', answerReason: 'angka di lembar C.Hasil memang 50' })] });
  });

  it('a dispute without a reason, then reason_required', () => {
    spec.given([submitted, proposed]).when(dispute({ reason: ' ' })).then({ code: 'reason_required', status: 400 });
  });

  it('the proposer withdraws: ProposalWithdrawn; confirming it afterwards, then proposal_closed', () => {
    spec.given([submitted, proposed]).when(withdraw()).then([{ type: 'ProposalWithdrawn', data: { ...key, proposalId: '1222011001001-PPWP-2' } }]);
    const withdrawn: StoredResultEvent = { type: 'ProposalWithdrawn', data: { ...key, proposalId: '1222011001001-PPWP-2' }, metadata: { userId: 'ver-rina', at: LATER } };
    spec.given([submitted, proposed, withdrawn]).when(confirm()).then({ code: 'proposal_closed', details: { proposalStatus: 'withdrawn' } });
  });

  it('another verifier may not withdraw it (403 not_proposer)', () => {
    spec.given([submitted, proposed]).when(withdraw({ by: adi })).then({ code: 'not_proposer', status: 403 });
  });
});

describe('result decider: separation of duties', () => {
  const phoneCorrected: StoredResultEvent = {
    type: 'ResultCorrected',
    data: { ...key, before: form, after: fixedForm, reason, operatorConfirmation: 'telepon, Budi', flags: [], confirmedVia: 'phone' },
    metadata: { userId: 'ver-rina', at: T0 },
  };

  it('the verifier who corrected (by phone) may not verify; another verifier may', () => {
    spec.given([submitted, phoneCorrected]).when(verify(2, rina)).then({ code: 'own_correction', status: 403 });
    spec.given([submitted, phoneCorrected]).when(verify(2, adi)).then([{ type: 'ResultVerified', data: { ...key } }]);
  });

  it('the proposer of a correction the operator confirmed may not verify it', () => {
    const confirmedEvent = { ...resultDecider.decide(confirm(), rebuild([submitted, proposed])).events[0], metadata: { userId: 'op-1', at: LATER } };
    spec.given([submitted, proposed, confirmedEvent]).when(verify(3, rina)).then({ code: 'own_correction', status: 403 });
    spec.given([submitted, proposed, confirmedEvent]).when(verify(3, adi)).then([{ type: 'ResultVerified', data: { ...key } }]);
  });

  it('a verifier with an open proposal may not verify the version it made', () => {
    spec.given([submitted, proposed]).when(verify(2, rina)).then({ code: 'own_correction', status: 403 });
  });

  it('the message says why, in Indonesian and English', () => {
    spec.given([submitted, phoneCorrected]).when(verify(2, rina)).then({ message: expect.stringMatching(/verifikator lain.*another verifier/) });
  });
});
