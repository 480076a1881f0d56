import {
  ResultEvent as ResultEventSchema,
  type Ballot,
  type CHasilForm,
  type EventMetadata,
  type Flag,
  type Issue,
  type PhotoContentType,
  type PhotoView,
  type ProposalStatus,
  type ProposalView,
  type ResultEvent,
  type ResultStatus,
  type ResultView,
  type Role,
  type SubmitResultResponse,
} from '@suara/contracts';
import { proposalId as makeProposalId } from '@suara/contracts';

/**
 * The result stream of one (election, TPS, ballot): submitted once by the operator, verified and
 * corrected by Kesbangpol verifiers. `decide` is pure and throws `DomainError` when a command is
 * refused; callers map it with `DOMAIN_ERROR_STATUS` / `error.status`.
 */

// ---------------------------------------------------------------- errors

export const DOMAIN_ERROR_STATUS = {
  invalid_form: 400,
  reason_required: 400,
  confirmation_required: 400,
  no_change: 400,
  on_behalf_required: 400,
  on_behalf_not_allowed: 403,
  nothing_submitted: 409,
  too_many_photos: 409,
  already_submitted: 409,
  already_verified: 409,
  version_conflict: 409,
  own_correction: 403,
  not_proposer: 403,
  proposal_not_found: 404,
  proposal_stale: 409,
  proposal_expired: 409,
  proposal_closed: 409,
} as const satisfies Record<string, number>;
export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

/** A refused command. Serialises to the API error body via `toBody()`. */
export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = 'DomainError';
    this.status = DOMAIN_ERROR_STATUS[code];
  }

  /** `400 invalid_form` listing every problem of a C.Hasil form (from `validateForm`). */
  static invalidForm(issues: Issue[]): DomainError {
    return new DomainError('invalid_form', `formulir C.Hasil tidak sah: ${issues.length} masalah`, undefined, issues);
  }

  /** The API error body: `{error, message, issues?, details?}`. */
  toBody(): { error: DomainErrorCode; message: string; issues?: Issue[]; details?: Record<string, unknown> } {
    return {
      error: this.code,
      message: this.message,
      ...(this.issues ? { issues: this.issues } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

// ---------------------------------------------------------------- state

export interface ResultKey {
  electionId: string;
  tpsCode: string;
  ballot: Ballot;
}

export interface ResultState {
  status: ResultStatus;
  /** Number of events in the stream (0 = empty); the `expectedVersion` clients send back. */
  version: number;
  key: ResultKey | null;
  form: CHasilForm | null;
  flags: Flag[];
  /**
   * The operator's submission as sent: a retry is judged against it, whatever happened since. `version`
   * is the stream version it made: not always 1, since photos may come before the numbers.
   */
  submission: { clientRequestId: string; form: CHasilForm; flags: Flag[]; version: number } | null;
  clientRequestId: string | null;
  submittedBy: string | null;
  submittedAt: string | null;
  verifiedBy: string | null;
  verifiedAt: string | null;
  /** Photos of the C.Hasil sheets, oldest first; they never change the numbers or the status. */
  photos: PhotoView[];
  /** The verifier whose correction wrote the current numbers (separation of duties: not the one to verify them). */
  correctedBy: string | null;
  /**
   * Version of the last event that was not a photo: a proposal is live only while it is that event
   * (a verification, a correction or a newer proposal after it makes it stale; photos do not).
   */
  lastChange: number;
  /** Every correction proposed on this result, oldest first. */
  proposals: Proposal[];
}

/** A proposal as the stream holds it; `status` is stored, `stale`/`expired` are judged by `proposalStatus`. */
export interface Proposal {
  proposalId: string;
  version: number;
  status: Extract<ProposalStatus, 'open' | 'confirmed' | 'disputed' | 'withdrawn'>;
  before: CHasilForm;
  after: CHasilForm;
  reason: string;
  flags: Flag[];
  proposedBy: { userId: string; username?: string };
  proposedAt: string;
  expiresAt: string;
  answeredBy: { userId: string; username?: string } | null;
  answeredAt: string | null;
  answerReason: string | null;
}

/** A proposal's status at `now`: stored, or stale/expired for an open one that can no longer be confirmed. */
export function proposalStatus(state: ResultState, p: Proposal, now: string): ProposalStatus {
  if (p.status !== 'open') return p.status;
  if (p.version !== state.lastChange) return 'stale';
  if (Date.parse(now) >= Date.parse(p.expiresAt)) return 'expired';
  return 'open';
}

/** Most photos one result may carry: every page of the sheet, with retakes. */
export const MAX_PHOTOS_PER_RESULT = 20;

export const initialState = (): ResultState => ({
  status: 'empty',
  version: 0,
  key: null,
  form: null,
  flags: [],
  submission: null,
  clientRequestId: null,
  submittedBy: null,
  submittedAt: null,
  verifiedBy: null,
  verifiedAt: null,
  photos: [],
  correctedBy: null,
  lastChange: 0,
  proposals: [],
});

/** A result event as `evolve` reads it: `decide`'s output, or a stored event with its metadata (who, when). */
export type StoredResultEvent = ResultEvent & { metadata?: Partial<Pick<EventMetadata, 'userId' | 'username' | 'at'>> };

export function evolve(state: ResultState, event: StoredResultEvent): ResultState {
  const by = event.metadata?.userId ?? null;
  const at = event.metadata?.at ?? null;
  const version = state.version + 1;
  if (event.type !== 'PhotoAttached') state = { ...state, lastChange: version };
  const who = by === null ? null : { userId: by, ...(event.metadata?.username === undefined ? {} : { username: event.metadata.username }) };
  const answer = (id: string, status: Proposal['status'], answerReason: string | null) =>
    state.proposals.map((p) => (p.proposalId === id ? { ...p, status, answeredBy: who, answeredAt: at, answerReason } : p));
  switch (event.type) {
    case 'ResultSubmitted': {
      const { electionId, tpsCode, ballot, clientRequestId, form, flags } = event.data;
      return {
        ...state,
        status: 'submitted',
        version,
        key: { electionId, tpsCode, ballot },
        form,
        flags,
        submission: { clientRequestId, form, flags, version },
        clientRequestId,
        submittedBy: by,
        submittedAt: at,
      };
    }
    case 'ResultVerified':
      return { ...state, status: 'verified', version, verifiedBy: by, verifiedAt: at };
    case 'ResultCorrected': {
      // A corrected result needs a fresh verification, so the previous one no longer describes it.
      const { proposalId, proposedBy } = event.data;
      return {
        ...state, status: 'corrected', version, form: event.data.after, flags: event.data.flags, verifiedBy: null, verifiedAt: null,
        correctedBy: proposedBy?.userId ?? by,
        proposals: proposalId ? answer(proposalId, 'confirmed', null) : state.proposals,
      };
    }
    case 'CorrectionProposed': {
      const { proposalId, before, after, reason, flags, expiresAt } = event.data;
      const proposal: Proposal = {
        proposalId, version, status: 'open', before, after, reason, flags, proposedBy: who ?? { userId: '' }, proposedAt: at ?? '', expiresAt,
        answeredBy: null, answeredAt: null, answerReason: null,
      };
      return { ...state, version, proposals: [...state.proposals, proposal] };
    }
    case 'ProposalDisputed':
      return { ...state, version, proposals: answer(event.data.proposalId, 'disputed', event.data.reason) };
    case 'ProposalWithdrawn':
      return { ...state, version, proposals: answer(event.data.proposalId, 'withdrawn', null) };
    case 'PhotoAttached': {
      const { electionId, tpsCode, ballot, sha256, contentType, bytes, width, height, page } = event.data;
      const photo = { sha256, contentType, bytes, width, height, page, at: at ?? '', by: event.metadata?.username ?? by ?? '' };
      // A photo may come before the numbers, so it may be what gives the stream its key.
      return { ...state, version, key: state.key ?? { electionId, tpsCode, ballot }, photos: [...state.photos, photo] };
    }
  }
}

/** Folds a stream's events into its state. */
export function rebuild(events: readonly StoredResultEvent[]): ResultState {
  return events.reduce(evolve, initialState());
}

/** Parses a stored event (e.g. the event store's `RecordedEvent`) into a `StoredResultEvent`; throws on a foreign shape. */
export function toStoredResultEvent(recorded: { type: string; data: unknown; metadata?: { userId?: string; username?: string; at?: string } }): StoredResultEvent {
  const event = ResultEventSchema.parse({ type: recorded.type, data: recorded.data });
  const m = recorded.metadata;
  const metadata = m ? { userId: m.userId, at: m.at, ...(m.username === undefined ? {} : { username: m.username }) } : undefined;
  return metadata ? { ...event, metadata } : event;
}

// ---------------------------------------------------------------- commands

/** Who issues a command; the handler also copies it into the event metadata. */
export interface Actor {
  userId: string;
  role: Role;
}

export interface SubmitResult extends ResultKey {
  type: 'SubmitResult';
  clientRequestId: string;
  /** Already validated by `validateForm`. */
  form: CHasilForm;
  flags: Flag[];
  /** A verifier entering the form for an operator who cannot: why (required from verifiers, refused from others). */
  onBehalf?: { reason: string };
  by: Actor;
}

export interface VerifyResult extends ResultKey {
  type: 'VerifyResult';
  expectedVersion: number;
  by: Actor;
}

export interface CorrectResult extends ResultKey {
  type: 'CorrectResult';
  expectedVersion: number;
  /** Already validated by `validateForm`. */
  form: CHasilForm;
  flags: Flag[];
  reason: string;
  operatorConfirmation: string;
  by: Actor;
}

/** A correction without the operator's confirmation: proposed, applied only when the operator confirms. */
export interface ProposeCorrection extends ResultKey {
  type: 'ProposeCorrection';
  expectedVersion: number;
  /** Already validated by `validateForm`. */
  form: CHasilForm;
  flags: Flag[];
  reason: string;
  /** ISO time of the request and how long the operator has (decide stays pure). */
  now: string;
  ttlSeconds: number;
  by: Actor;
}

/** The operator of the TPS answers a proposal (the scope is checked by the route). */
export interface ConfirmProposal extends ResultKey {
  type: 'ConfirmProposal';
  proposalId: string;
  now: string;
  by: Actor;
}

export interface DisputeProposal extends ResultKey {
  type: 'DisputeProposal';
  proposalId: string;
  reason: string;
  now: string;
  by: Actor;
}

export interface WithdrawProposal extends ResultKey {
  type: 'WithdrawProposal';
  proposalId: string;
  now: string;
  by: Actor;
}

/** A photo already stored in the blob store under its SHA-256, checked to be a JPEG, PNG or WebP. */
export interface PhotoFacts {
  sha256: string;
  contentType: PhotoContentType;
  bytes: number;
  width: number;
  height: number;
  page: number | null;
}

export interface AttachPhoto extends ResultKey {
  type: 'AttachPhoto';
  photo: PhotoFacts;
  by: Actor;
}

export type ResultCommand =
  | SubmitResult | VerifyResult | CorrectResult | AttachPhoto | ProposeCorrection | ConfirmProposal | DisputeProposal | WithdrawProposal;

/** What `decide` returns: the events to append, and whether the command was a harmless retry. */
export interface ResultDecision {
  events: ResultEvent[];
  /** true for a repeated submission (same clientRequestId, same form) or photo (same bytes): answer 200 with the stored state. */
  retry: boolean;
}

export function decide(command: ResultCommand, state: ResultState): ResultDecision {
  switch (command.type) {
    case 'SubmitResult':
      return submit(command, state);
    case 'VerifyResult':
      return verify(command, state);
    case 'CorrectResult':
      return correct(command, state);
    case 'AttachPhoto':
      return attachPhoto(command, state);
    case 'ProposeCorrection':
      return propose(command, state);
    case 'ConfirmProposal':
      return confirm(command, state);
    case 'DisputeProposal':
      return dispute(command, state);
    case 'WithdrawProposal':
      return withdraw(command, state);
  }
}

const keyOf = (c: ResultKey): ResultKey => ({ electionId: c.electionId, tpsCode: c.tpsCode, ballot: c.ballot });
const emit = (...events: ResultEvent[]): ResultDecision => ({ events, retry: false });

function submit(command: SubmitResult, state: ResultState): ResultDecision {
  const onBehalf = onBehalfOf(command);
  if (state.status === 'empty') {
    const base = { ...keyOf(command), clientRequestId: command.clientRequestId, form: command.form };
    return emit({
      type: 'ResultSubmitted',
      data: onBehalf
        ? { ...base, flags: [...command.flags, enteredByVerifier(onBehalf.reason)], onBehalf }
        : { ...base, flags: command.flags },
    });
  }
  // An operator's outbox may retry long after a verifier acted: the same request is still a retry.
  if (state.submission?.clientRequestId === command.clientRequestId && sameForm(state.submission.form, command.form)) {
    return { events: [], retry: true };
  }
  const when = state.submittedAt ? ` pada ${state.submittedAt}` : '';
  const who = state.submittedBy ? ` oleh ${state.submittedBy}` : '';
  throw new DomainError(
    'already_submitted',
    `hasil TPS ${command.tpsCode} surat suara ${command.ballot} sudah dikirim${when}${who}; sekarang berstatus ${state.status}, versi ${state.version}`,
    { status: state.status, version: state.version, submittedAt: state.submittedAt, submittedBy: state.submittedBy },
  );
}

/**
 * Operators submit for themselves; a verifier submits only on behalf of an operator who cannot, and
 * says why, so the result is flagged and the history shows who entered it and why.
 */
function onBehalfOf(command: SubmitResult): { reason: string } | undefined {
  const reason = command.onBehalf?.reason.trim();
  if (command.by.role !== 'verifier') {
    if (command.onBehalf === undefined) return undefined;
    throw new DomainError('on_behalf_not_allowed', 'hanya verifikator yang boleh memasukkan hasil atas nama operator');
  }
  if (!reason) {
    throw new DomainError('on_behalf_required', 'verifikator hanya boleh memasukkan hasil atas nama operator, dengan alasan', undefined, [
      { path: 'onBehalf.reason', message: 'alasan entri atas nama operator wajib diisi' },
    ]);
  }
  return { reason };
}

function enteredByVerifier(reason: string): Flag {
  return { code: 'entered_by_verifier', message: `dimasukkan verifikator atas nama operator: ${reason}` };
}

function verify(command: VerifyResult, state: ResultState): ResultDecision {
  requireSubmitted(command, state);
  if (state.status === 'verified' && command.expectedVersion === state.version) {
    throw new DomainError(
      'already_verified',
      `hasil TPS ${command.tpsCode} surat suara ${command.ballot} versi ${state.version} sudah diverifikasi${state.verifiedBy ? ` oleh ${state.verifiedBy}` : ''}`,
      { status: state.status, version: state.version, verifiedBy: state.verifiedBy, verifiedAt: state.verifiedAt },
    );
  }
  requireVersion(command, state);
  requireSecondPerson(command, state);
  return emit({ type: 'ResultVerified', data: keyOf(command) });
}

/** Separation of duties: whoever corrected the numbers, or proposes to, is not who verifies them. */
function requireSecondPerson(command: VerifyResult, state: ResultState): void {
  const mine = state.correctedBy === command.by.userId;
  const proposing = state.proposals.some((p) => p.proposedBy.userId === command.by.userId && p.status === 'open' && p.version === state.lastChange);
  if (!mine && !proposing) return;
  throw new DomainError(
    'own_correction',
    mine
      ? `Anda yang mengoreksi hasil TPS ${command.tpsCode} surat suara ${command.ballot}; verifikator lain yang harus memverifikasinya (you corrected this result; another verifier must verify it)`
      : `Anda mengusulkan koreksi hasil TPS ${command.tpsCode} surat suara ${command.ballot} yang belum dijawab operator; verifikator lain yang harus memverifikasinya (you proposed a correction of this result; another verifier must verify it)`,
    { version: state.version, status: state.status },
  );
}

function correct(command: CorrectResult, state: ResultState): ResultDecision {
  const reason = command.reason.trim();
  const operatorConfirmation = command.operatorConfirmation.trim();
  requireCorrectionTexts(reason, operatorConfirmation);
  requireSubmitted(command, state);
  requireVersion(command, state);
  if (sameForm(state.form, command.form)) {
    throw new DomainError('no_change', `koreksi tidak mengubah apa pun: formulir sama dengan versi ${state.version}`, { version: state.version });
  }
  return emit({
    type: 'ResultCorrected',
    data: { ...keyOf(command), before: state.form as CHasilForm, after: command.form, reason, operatorConfirmation, flags: command.flags, confirmedVia: 'phone' },
  });
}

function propose(command: ProposeCorrection, state: ResultState): ResultDecision {
  const reason = command.reason.trim();
  if (!reason) throw new DomainError('reason_required', 'alasan koreksi wajib diisi', undefined, [{ path: 'reason', message: 'alasan koreksi wajib diisi' }]);
  requireSubmitted(command, state);
  requireVersion(command, state);
  if (sameForm(state.form, command.form)) {
    throw new DomainError('no_change', `koreksi tidak mengubah apa pun: formulir sama dengan versi ${state.version}`, { version: state.version });
  }
  const expiresAt = new Date(Date.parse(command.now) + command.ttlSeconds * 1000).toISOString();
  return emit({
    type: 'CorrectionProposed',
    data: {
      ...keyOf(command), proposalId: makeProposalId(command.tpsCode, command.ballot, state.version + 1),
      before: state.form as CHasilForm, after: command.form, reason, flags: command.flags, expiresAt,
    },
  });
}

/** The proposal, still open, live and in time; otherwise 404/409 saying what is stored. */
function openProposal(command: ConfirmProposal | DisputeProposal | WithdrawProposal, state: ResultState): Proposal {
  const proposal = state.proposals.find((p) => p.proposalId === command.proposalId);
  if (!proposal) throw new DomainError('proposal_not_found', `usulan koreksi ${command.proposalId} tidak ditemukan`);
  const status = proposalStatus(state, proposal, command.now);
  const details = { proposalId: proposal.proposalId, proposalStatus: status, currentVersion: state.version, status: state.status };
  switch (status) {
    case 'open':
      return proposal;
    case 'stale': {
      const newer = state.proposals.at(-1);
      const why = newer && newer !== proposal ? `ada usulan yang lebih baru (${newer.proposalId})` : `hasil sudah berubah (sekarang versi ${state.version}, ${state.status})`;
      throw new DomainError('proposal_stale', `usulan koreksi ${proposal.proposalId} sudah usang: ${why}`, {
        ...details, ...(newer && newer !== proposal ? { latestProposalId: newer.proposalId } : {}),
      });
    }
    case 'expired':
      throw new DomainError('proposal_expired', `usulan koreksi ${proposal.proposalId} kedaluwarsa pada ${proposal.expiresAt}`, { ...details, expiresAt: proposal.expiresAt });
    default:
      throw new DomainError('proposal_closed', `usulan koreksi ${proposal.proposalId} sudah ditutup: ${PROPOSAL_STATUS_ID[status]}`, details);
  }
}

const PROPOSAL_STATUS_ID: Record<ProposalStatus, string> = {
  open: 'menunggu', confirmed: 'dikonfirmasi operator', disputed: 'ditolak operator', withdrawn: 'ditarik verifikator', stale: 'usang', expired: 'kedaluwarsa',
};

/** The operator confirms in the app: the correction applies, naming the proposer (data) and the operator (metadata). */
function confirm(command: ConfirmProposal, state: ResultState): ResultDecision {
  const p = openProposal(command, state);
  return emit({
    type: 'ResultCorrected',
    data: {
      ...keyOf(command), before: state.form as CHasilForm, after: p.after, reason: p.reason,
      operatorConfirmation: 'dikonfirmasi operator di aplikasi', flags: p.flags,
      confirmedVia: 'app', proposalId: p.proposalId, proposedBy: p.proposedBy,
    },
  });
}

function dispute(command: DisputeProposal, state: ResultState): ResultDecision {
  const reason = command.reason.trim();
  if (!reason) throw new DomainError('reason_required', 'alasan penolakan wajib diisi', undefined, [{ path: 'reason', message: 'alasan penolakan wajib diisi' }]);
  const p = openProposal(command, state);
  return emit({ type: 'ProposalDisputed', data: { ...keyOf(command), proposalId: p.proposalId, reason } });
}

/** Only the proposer takes a proposal back; an expired one needs no withdrawing, a stale one cannot be confirmed anyway. */
function withdraw(command: WithdrawProposal, state: ResultState): ResultDecision {
  const p = openProposal(command, state);
  if (p.proposedBy.userId !== command.by.userId) {
    throw new DomainError('not_proposer', `usulan koreksi ${p.proposalId} hanya dapat ditarik oleh pengusulnya${p.proposedBy.username ? ` (${p.proposedBy.username})` : ''}`);
  }
  return emit({ type: 'ProposalWithdrawn', data: { ...keyOf(command), proposalId: p.proposalId } });
}

/** Allowed before the numbers, after them and after a verification: evidence never changes the numbers. */
function attachPhoto(command: AttachPhoto, state: ResultState): ResultDecision {
  if (state.photos.some((p) => p.sha256 === command.photo.sha256)) return { events: [], retry: true };
  if (state.photos.length >= MAX_PHOTOS_PER_RESULT) {
    throw new DomainError(
      'too_many_photos',
      `hasil TPS ${command.tpsCode} surat suara ${command.ballot} sudah memiliki ${state.photos.length} foto, batasnya ${MAX_PHOTOS_PER_RESULT}`,
      { photos: state.photos.length, version: state.version },
    );
  }
  return emit({ type: 'PhotoAttached', data: { ...keyOf(command), ...command.photo } });
}

function requireCorrectionTexts(reason: string, operatorConfirmation: string): void {
  const issues: Issue[] = [];
  if (!reason) issues.push({ path: 'reason', message: 'alasan koreksi wajib diisi' });
  if (!operatorConfirmation) issues.push({ path: 'operatorConfirmation', message: 'konfirmasi operator wajib diisi' });
  if (issues.length === 0) return;
  const code = reason ? 'confirmation_required' : 'reason_required';
  throw new DomainError(code, issues.map((i) => i.message).join('; '), undefined, issues);
}

function requireSubmitted(command: ResultKey, state: ResultState): void {
  if (state.status !== 'empty' && state.form) return;
  throw new DomainError('nothing_submitted', `belum ada hasil TPS ${command.tpsCode} surat suara ${command.ballot} yang dikirim`, {
    status: state.status,
    version: state.version,
  });
}

function requireVersion(command: { expectedVersion: number }, state: ResultState): void {
  if (command.expectedVersion === state.version) return;
  throw new DomainError(
    'version_conflict',
    `hasil sudah berubah: versi sekarang ${state.version}, bukan ${command.expectedVersion}; muat ulang lalu periksa kembali`,
    { currentVersion: state.version, expectedVersion: command.expectedVersion, status: state.status },
  );
}

/** Deep equality of two forms, ignoring key order. */
export function sameForm(a: CHasilForm | null, b: CHasilForm | null): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}

/** The decider as one object, for generic helpers (specs, command handlers). */
export const resultDecider = { initialState, evolve, decide };

// ---------------------------------------------------------------- views

/** `GET /api/results/:tpsCode/:ballot`, and the answer to verify and correct. */
export function toResultView(tpsCode: string, ballot: Ballot, state: ResultState): ResultView {
  return {
    tpsCode,
    ballot,
    status: state.status,
    form: state.form,
    version: state.version,
    submittedBy: state.submittedBy,
    submittedAt: state.submittedAt,
    verifiedBy: state.verifiedBy,
    verifiedAt: state.verifiedAt,
    flags: state.flags,
    photos: state.photos,
    correctedBy: state.status === 'corrected' ? state.correctedBy : null,
  };
}

/** A proposal as the API shows it, with its status at `now`. */
export function toProposalView(tpsCode: string, ballot: Ballot, state: ResultState, p: Proposal, now: string): ProposalView {
  const { proposalId, version, before, after, reason, flags, proposedBy, proposedAt, expiresAt, answeredBy, answeredAt, answerReason } = p;
  return {
    proposalId, tpsCode, ballot, version, status: proposalStatus(state, p, now), before, after, reason, flags, proposedBy, proposedAt, expiresAt,
    answeredBy, answeredAt, answerReason,
  };
}

/** `POST …/photos` answer: 201 after the append, and the same body (200) when these bytes were already attached. */
export function toPhotoView(state: ResultState, sha256: string): PhotoView {
  const photo = state.photos.find((p) => p.sha256 === sha256);
  if (!photo) throw new Error(`photo ${sha256} is not attached to this result`);
  return photo;
}

/** `POST /api/results` answer: 201 after the append, and the same body (200) for a retry. */
export function toSubmitResponse(tpsCode: string, ballot: Ballot, state: ResultState): SubmitResultResponse {
  // Answered from the submission itself, so a retry gets the same body whatever happened since
  // (photos may come before the numbers: the submission is not always version 1).
  return { tpsCode, ballot, status: 'submitted', version: state.submission?.version ?? state.version, flags: state.submission?.flags ?? state.flags };
}
