import { describe, expect, it } from 'vitest';
import type { CHasilForm, Flag, ResultEvent } from '@suara/contracts';
import { deciderSpec } from './test-support/decider-spec';
import {
  DOMAIN_ERROR_STATUS,
  DomainError,
  rebuild,
  resultDecider,
  sameForm,
  toResultView,
  toStoredResultEvent,
  toSubmitResponse,
  MAX_PHOTOS_PER_RESULT,
  toPhotoView,
  type AttachPhoto,
  type CorrectResult,
  type StoredResultEvent,
  type SubmitResult,
  type VerifyResult,
} from './result.decider';

const key = { electionId: 'labusel-2024', tpsCode: '1222011001001', ballot: 'PPWP' as const };
const operator = { userId: 'op-1', role: 'operator' as const };
const verifier = { userId: 'ver-1', role: 'verifier' as const };

const form: CHasilForm = { votes: { '01': 50, '02': 120, '03': 10 }, valid: 180, invalid: 4 };
const fixedForm: CHasilForm = { votes: { '01': 55, '02': 115, '03': 10 }, valid: 180, invalid: 4 };
const flags: Flag[] = [{ code: 'high_invalid', message: 'x', path: 'form.invalid' }];

const submit = (over: Partial<SubmitResult> = {}): SubmitResult => ({
  type: 'SubmitResult', ...key, clientRequestId: 'req-00000001', form, flags: [], by: operator, ...over,
});
const verify = (expectedVersion: number): VerifyResult => ({ type: 'VerifyResult', ...key, expectedVersion, by: verifier });
const correct = (over: Partial<CorrectResult> = {}): CorrectResult => ({
  type: 'CorrectResult', ...key, expectedVersion: 1, form: fixedForm, flags: [], reason: 'salah salin angka paslon 01',
  operatorConfirmation: 'dikonfirmasi via telepon, Budi', by: verifier, ...over,
});

const submitted: StoredResultEvent = {
  type: 'ResultSubmitted',
  data: { ...key, clientRequestId: 'req-00000001', form, flags: [] },
  metadata: { userId: 'op-1', at: '2024-02-14T10:00:00.000Z' },
};
const verified: StoredResultEvent = { type: 'ResultVerified', data: { ...key }, metadata: { userId: 'ver-1', at: '2024-02-14T11:00:00.000Z' } };
const corrected: ResultEvent = {
  type: 'ResultCorrected',
  data: { ...key, before: form, after: fixedForm, reason: 'salah salin angka paslon 01', operatorConfirmation: 'dikonfirmasi via telepon, Budi', flags: [] },
};

const spec = deciderSpec(resultDecider);

describe('result decider: SubmitResult', () => {
  it('given an empty stream, when submitted, then ResultSubmitted with the form and flags', () => {
    spec.given([]).when(submit({ flags })).then([
      { type: 'ResultSubmitted', data: { ...key, clientRequestId: 'req-00000001', form, flags } },
    ]);
  });

  it('then the state is submitted at version 1', () => {
    spec.given([]).when(submit()).thenState({ status: 'submitted', version: 1, form, clientRequestId: 'req-00000001' });
  });

  it('given submitted, when the same request and form again, then no events and a retry', () => {
    spec.given([submitted]).when(submit()).thenDecision({ events: [], retry: true });
  });

  it('a retry with the same form written in another key order is still a retry', () => {
    const reordered = { invalid: 4, valid: 180, votes: { '03': 10, '02': 120, '01': 50 } };
    spec.given([submitted]).when(submit({ form: reordered })).thenDecision({ events: [], retry: true });
  });

  it('given submitted, when the same request id with another form, then already_submitted', () => {
    spec.given([submitted]).when(submit({ form: fixedForm })).then({ code: 'already_submitted', status: 409 });
  });

  it('given submitted, when another request id with the same form, then already_submitted naming what is stored', () => {
    let error: DomainError | undefined;
    try {
      resultDecider.decide(submit({ clientRequestId: 'req-00000002' }), rebuild([submitted]));
    } catch (e) {
      error = e as DomainError;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error!.code).toBe('already_submitted');
    expect(error!.status).toBe(409);
    expect(error!.message).toContain('submitted');
    expect(error!.message).toContain('versi 1');
    expect(error!.message).toContain('2024-02-14T10:00:00.000Z');
    expect(error!.details).toEqual({ status: 'submitted', version: 1, submittedAt: '2024-02-14T10:00:00.000Z', submittedBy: 'op-1' });
  });

  it('given verified, when the original request is retried late, then still a retry', () => {
    spec.given([submitted, verified]).when(submit()).thenDecision({ events: [], retry: true });
  });

  it('given corrected, when the original request is retried late, then a retry answered with the submission', () => {
    spec.given([submitted, corrected]).when(submit()).thenDecision({ events: [], retry: true });
    expect(toSubmitResponse(key.tpsCode, 'PPWP', rebuild([submitted, corrected]))).toEqual({ tpsCode: key.tpsCode, ballot: 'PPWP', status: 'submitted', version: 1, flags: [] });
  });

  it('given verified, when the original request id comes with another form, then already_submitted', () => {
    spec.given([submitted, verified]).when(submit({ form: fixedForm })).then({ code: 'already_submitted', details: { status: 'verified', version: 2 } });
  });

  it('given corrected, when submitted again, then already_submitted', () => {
    spec.given([submitted, corrected]).when(submit({ clientRequestId: 'req-00000009' })).then({ code: 'already_submitted' });
  });
});

describe('result decider: VerifyResult', () => {
  it('given an empty stream, then nothing_submitted', () => {
    spec.given([]).when(verify(0)).then({ code: 'nothing_submitted', status: 409 });
  });

  it('given submitted, at the current version, then ResultVerified', () => {
    spec.given([submitted]).when(verify(1)).then([{ type: 'ResultVerified', data: { ...key } }]);
  });

  it('given submitted, at a stale version, then version_conflict with the current version', () => {
    spec.given([submitted]).when(verify(0)).then({ code: 'version_conflict', status: 409, details: { currentVersion: 1, expectedVersion: 0 } });
  });

  it('given verified, at the same version, then already_verified', () => {
    spec.given([submitted, verified]).when(verify(2)).then({ code: 'already_verified', status: 409, details: { verifiedBy: 'ver-1' } });
  });

  it('given verified, at an older version, then version_conflict', () => {
    spec.given([submitted, verified]).when(verify(1)).then({ code: 'version_conflict', details: { currentVersion: 2 } });
  });

  it('given corrected, at the current version, then ResultVerified', () => {
    spec.given([submitted, corrected]).when(verify(2)).then([{ type: 'ResultVerified', data: { ...key } }]);
  });

  it('then the state is verified with who and when from the metadata', () => {
    expect(rebuild([submitted, verified])).toMatchObject({ status: 'verified', version: 2, verifiedBy: 'ver-1', verifiedAt: '2024-02-14T11:00:00.000Z' });
  });
});

describe('result decider: CorrectResult', () => {
  it('given submitted, then ResultCorrected with before and after', () => {
    spec.given([submitted]).when(correct({ flags })).then([
      {
        type: 'ResultCorrected',
        data: {
          ...key, before: form, after: fixedForm, reason: 'salah salin angka paslon 01', operatorConfirmation: 'dikonfirmasi via telepon, Budi', flags,
          confirmedVia: 'phone',
        },
      },
    ]);
  });

  it('trims reason and confirmation', () => {
    spec.given([submitted]).when(correct({ reason: '  salah salin  ', operatorConfirmation: ' Budi, telepon ' })).thenDecision({
      events: [expect.objectContaining({ data: expect.objectContaining({ reason: 'salah salin', operatorConfirmation: 'Budi, telepon' }) })],
    });
  });

  it('given verified, at its version, then ResultCorrected and the state needs a new verification', () => {
    spec.given([submitted, verified]).when(correct({ expectedVersion: 2 })).thenState({
      status: 'corrected', version: 3, form: fixedForm, verifiedBy: null, verifiedAt: null, submittedBy: 'op-1',
    });
  });

  it('given an empty stream, then nothing_submitted', () => {
    spec.given([]).when(correct({ expectedVersion: 0 })).then({ code: 'nothing_submitted', status: 409 });
  });

  it('at a stale version, then version_conflict', () => {
    spec.given([submitted, verified]).when(correct({ expectedVersion: 1 })).then({ code: 'version_conflict', status: 409, details: { currentVersion: 2 } });
  });

  it('without a reason, then reason_required (400)', () => {
    spec.given([submitted]).when(correct({ reason: '   ' })).then({ code: 'reason_required', status: 400, issues: [{ path: 'reason', message: 'alasan koreksi wajib diisi' }] });
  });

  it('without an operator confirmation, then confirmation_required (400)', () => {
    spec.given([submitted]).when(correct({ operatorConfirmation: '' })).then({ code: 'confirmation_required', status: 400 });
  });

  it('without both, then reason_required listing both', () => {
    spec.given([submitted]).when(correct({ reason: '', operatorConfirmation: '' })).then({
      code: 'reason_required',
      issues: [{ path: 'reason', message: 'alasan koreksi wajib diisi' }, { path: 'operatorConfirmation', message: 'konfirmasi operator wajib diisi' }],
    });
  });

  it('with the same form as stored, then no_change (400)', () => {
    spec.given([submitted]).when(correct({ form })).then({ code: 'no_change', status: 400 });
  });

  it('after a correction, the current form is the corrected one, so correcting back is a change', () => {
    spec.given([submitted, corrected]).when(correct({ expectedVersion: 2, form })).then([
      expect.objectContaining({ type: 'ResultCorrected', data: expect.objectContaining({ before: fixedForm, after: form }) }),
    ]);
  });
});

describe('result decider: errors, events and views', () => {
  it('maps every error code to an HTTP status', () => {
    expect(DOMAIN_ERROR_STATUS).toEqual({
      invalid_form: 400, reason_required: 400, confirmation_required: 400, no_change: 400, on_behalf_required: 400, on_behalf_not_allowed: 403,
      nothing_submitted: 409, too_many_photos: 409, already_submitted: 409, already_verified: 409, version_conflict: 409,
      own_correction: 403, not_proposer: 403, proposal_not_found: 404, proposal_stale: 409, proposal_expired: 409, proposal_closed: 409,
    });
  });

  it('DomainError renders the API error body', () => {
    const issues = [{ path: 'form.valid', message: 'jumlah suara sah 180 tidak sama dengan total suara 175' }];
    expect(DomainError.invalidForm(issues).toBody()).toEqual({ error: 'invalid_form', message: 'formulir C.Hasil tidak sah: 1 masalah', issues });
    expect(new DomainError('version_conflict', 'x', { currentVersion: 3 }).toBody()).toEqual({ error: 'version_conflict', message: 'x', details: { currentVersion: 3 } });
  });

  it('every decided event is a valid contracts ResultEvent', () => {
    const events = [
      ...resultDecider.decide(submit({ flags }), rebuild([])).events,
      ...resultDecider.decide(verify(1), rebuild([submitted])).events,
      ...resultDecider.decide(correct(), rebuild([submitted])).events,
    ];
    for (const e of events) expect(toStoredResultEvent(e)).toEqual(e);
  });

  it('toStoredResultEvent keeps who and when of a recorded event and rejects foreign shapes', () => {
    const recorded = { type: 'ResultVerified', data: { ...key }, metadata: { userId: 'ver-1', at: 't', role: 'verifier', requestId: 'r', electionId: 'e' } };
    expect(toStoredResultEvent(recorded)).toEqual({ type: 'ResultVerified', data: { ...key }, metadata: { userId: 'ver-1', at: 't' } });
    expect(() => toStoredResultEvent({ type: 'ResultVerified', data: { tpsCode: 1 } })).toThrow();
  });

  it('toResultView of an empty stream', () => {
    expect(toResultView(key.tpsCode, 'PPWP', rebuild([]))).toEqual({
      tpsCode: key.tpsCode, ballot: 'PPWP', status: 'empty', form: null, version: 0,
      submittedBy: null, submittedAt: null, verifiedBy: null, verifiedAt: null, flags: [], photos: [], correctedBy: null,
    });
  });

  it('toResultView after submit and verify', () => {
    expect(toResultView(key.tpsCode, 'PPWP', rebuild([submitted, verified]))).toEqual({
      tpsCode: key.tpsCode, ballot: 'PPWP', status: 'verified', form, version: 2,
      submittedBy: 'op-1', submittedAt: '2024-02-14T10:00:00.000Z', verifiedBy: 'ver-1', verifiedAt: '2024-02-14T11:00:00.000Z', flags: [], photos: [], correctedBy: null,
    });
  });

  it('toSubmitResponse is the same body for the first submit and its retry', () => {
    const state = rebuild([submitted]);
    expect(toSubmitResponse(key.tpsCode, 'PPWP', state)).toEqual({ tpsCode: key.tpsCode, ballot: 'PPWP', status: 'submitted', version: 1, flags: [] });
  });

  it('sameForm ignores key order but not values', () => {
    expect(sameForm(form, { invalid: 4, votes: { '02': 120, '01': 50, '03': 10 }, valid: 180 })).toBe(true);
    expect(sameForm(form, fixedForm)).toBe(false);
    expect(sameForm(form, null)).toBe(false);
  });
});

describe('result decider: AttachPhoto (evidence)', () => {
  const sha = (n: number) => n.toString(16).padStart(64, 'a');
  const facts = (n = 1, page: number | null = 1) => ({ sha256: sha(n), contentType: 'image/jpeg' as const, bytes: 812_345, width: 1500, height: 2000, page });
  const attach = (over: Partial<AttachPhoto> = {}): AttachPhoto => ({ type: 'AttachPhoto', ...key, photo: facts(), by: operator, ...over });
  const photoAttached = (n = 1, at = '2024-02-14T09:30:00.000Z'): StoredResultEvent => ({
    type: 'PhotoAttached', data: { ...key, ...facts(n) }, metadata: { userId: 'op-1', username: 'operator-kotapinang', at },
  });

  it('given an empty stream, when a photo is attached, then PhotoAttached with hash, size, type, dimensions and page', () => {
    spec.given([]).when(attach()).then([{ type: 'PhotoAttached', data: { ...key, ...facts() } }]);
  });

  it('a photo before the numbers leaves the result empty, gives the stream its key, and counts in the version', () => {
    const state = rebuild([photoAttached()]);
    expect(state).toMatchObject({ status: 'empty', version: 1, form: null, key, submission: null });
    expect(state.photos).toEqual([{ ...facts(), at: '2024-02-14T09:30:00.000Z', by: 'operator-kotapinang' }]);
  });

  it('given a photo first, when the numbers are submitted, then ResultSubmitted, and the submission is version 2', () => {
    spec.given([photoAttached()]).when(submit()).then([{ type: 'ResultSubmitted', data: { ...key, clientRequestId: 'req-00000001', form, flags: [] } }]);
    spec.given([photoAttached()]).when(submit()).thenState({ status: 'submitted', version: 2, submission: { clientRequestId: 'req-00000001', form, flags: [], version: 2 } });
  });

  it('toSubmitResponse answers the submission\'s own version, also for a retry after more photos', () => {
    const state = rebuild([photoAttached(1), submitted, photoAttached(2), verified]);
    expect(toSubmitResponse(key.tpsCode, 'PPWP', state)).toEqual({ tpsCode: key.tpsCode, ballot: 'PPWP', status: 'submitted', version: 2, flags: [] });
    spec.given([photoAttached(1), submitted, photoAttached(2)]).when(submit()).thenDecision({ events: [], retry: true });
  });

  it('never changes numbers or status: after a verification the result stays verified with the same form', () => {
    spec.given([submitted, verified]).when(attach()).thenState({ status: 'verified', form, flags: [], version: 3, verifiedBy: 'ver-1' });
    spec.given([submitted, corrected]).when(attach()).thenState({ status: 'corrected', form: fixedForm, version: 3 });
  });

  it('given the same bytes already attached, then no events and a retry (whatever page is sent now)', () => {
    spec.given([photoAttached(1)]).when(attach({ photo: facts(1, 3) })).thenDecision({ events: [], retry: true });
  });

  it('another photo of the same result is appended after the first', () => {
    const state = rebuild([photoAttached(1), photoAttached(2, '2024-02-14T09:31:00.000Z')]);
    expect(state.photos.map((p) => p.sha256)).toEqual([sha(1), sha(2)]);
    expect(toPhotoView(state, sha(2))).toMatchObject({ sha256: sha(2), at: '2024-02-14T09:31:00.000Z', by: 'operator-kotapinang' });
  });

  it('a verifier may attach a photo too, without a page', () => {
    spec.given([submitted]).when(attach({ by: verifier, photo: facts(5, null) })).then([{ type: 'PhotoAttached', data: { ...key, ...facts(5, null) } }]);
  });

  it(`given ${MAX_PHOTOS_PER_RESULT} photos, then too_many_photos (409) naming the count`, () => {
    const full = Array.from({ length: MAX_PHOTOS_PER_RESULT }, (_, i) => photoAttached(i + 1));
    spec.given(full).when(attach({ photo: facts(99) })).then({ code: 'too_many_photos', status: 409, details: { photos: MAX_PHOTOS_PER_RESULT } });
    // The same bytes again are still a retry, not an error.
    spec.given(full).when(attach({ photo: facts(3) })).thenDecision({ events: [], retry: true });
  });

  it('verify and correct after a photo-only stream still say nothing_submitted', () => {
    spec.given([photoAttached()]).when(verify(1)).then({ code: 'nothing_submitted' });
    spec.given([photoAttached()]).when(correct({ expectedVersion: 1 })).then({ code: 'nothing_submitted' });
  });

  it('a photo after the numbers moves the version, so a verification at the old version conflicts', () => {
    spec.given([submitted, photoAttached()]).when(verify(1)).then({ code: 'version_conflict', details: { currentVersion: 2 } });
    spec.given([submitted, photoAttached()]).when(verify(2)).then([{ type: 'ResultVerified', data: { ...key } }]);
  });

  it('PhotoAttached is a valid contracts event and the result view lists the photos', () => {
    const [event] = resultDecider.decide(attach(), rebuild([])).events;
    expect(toStoredResultEvent(event)).toEqual(event);
    expect(toResultView(key.tpsCode, 'PPWP', rebuild([photoAttached(), submitted])).photos).toHaveLength(1);
    expect(() => toStoredResultEvent({ type: 'PhotoAttached', data: { ...key, ...facts(), sha256: 'not-a-hash' } })).toThrow();
  });
});

describe('result decider: a verifier enters a form on behalf of an operator', () => {
  const reason = 'operator TPS 001 tidak ada sinyal, hasil dibacakan lewat telepon';

  it('given an empty stream, when a verifier submits with a reason, then ResultSubmitted carries the reason and an entered_by_verifier flag', () => {
    spec.given([]).when(submit({ by: verifier, flags, onBehalf: { reason: `  ${reason} ` } })).then([
      {
        type: 'ResultSubmitted',
        data: {
          ...key, clientRequestId: 'req-00000001', form, onBehalf: { reason },
          flags: [...flags, { code: 'entered_by_verifier', message: `dimasukkan verifikator atas nama operator: ${reason}` }],
        },
      },
    ]);
  });

  it('given an empty stream, when a verifier submits without a reason, then refused naming onBehalf.reason', () => {
    spec.given([]).when(submit({ by: verifier })).then({ code: 'on_behalf_required', status: 400, issues: [{ path: 'onBehalf.reason' }] });
    spec.given([]).when(submit({ by: verifier, onBehalf: { reason: '   ' } })).then({ code: 'on_behalf_required' });
  });

  it('given an empty stream, when an operator sends onBehalf, then refused (403)', () => {
    spec.given([]).when(submit({ onBehalf: { reason } })).then({ code: 'on_behalf_not_allowed', status: 403 });
  });

  it('given a submission on behalf, when the verifier repeats the same request, then it is a retry', () => {
    const onBehalf: StoredResultEvent = {
      type: 'ResultSubmitted',
      data: { ...key, clientRequestId: 'req-00000001', form, flags: [], onBehalf: { reason } },
      metadata: { userId: 'ver-1', at: '2024-02-14T10:00:00.000Z' },
    };
    spec.given([onBehalf]).when(submit({ by: verifier, onBehalf: { reason } })).thenDecision({ events: [], retry: true });
  });
});
