import { z } from 'zod';
import { Ballot, RegionLevel } from './ids';
import { CHasilForm, Flag } from './form';
import { FLAG_CODES } from './flags';
import { PhotoContentType, Role } from './events';

export const ResultStatus = z.enum(['empty', 'submitted', 'verified', 'corrected']);
export type ResultStatus = z.infer<typeof ResultStatus>;

/**
 * One photo of a C.Hasil sheet: the answer of `POST …/photos` and an entry of `ResultView.photos`.
 * `by` is the uploader's username (the user id when it is unknown).
 */
export const PhotoView = z.object({
  sha256: z.string(),
  contentType: PhotoContentType,
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  page: z.number().int().nullable(),
  at: z.string(),
  by: z.string(),
});
export type PhotoView = z.infer<typeof PhotoView>;

/** The verifiers' queue (`GET /api/results`): its filters besides `status`, each named in a 400 when wrong. */
export const ResultsQueueFilter = z.object({
  ballot: Ballot.optional(),
  /** `none`: only results without a photo of the C.Hasil ("tanpa foto"); `some`: only those with one. */
  photos: z.enum(['none', 'some']).optional(),
  /** Only TPS inside this kabupaten, kecamatan or desa. */
  region: z.string().regex(/^(\d{4}|\d{6}|\d{10})$/, 'kode wilayah: 4, 6 atau 10 angka').optional(),
  /** Only results carrying this flag. */
  flag: z.enum(FLAG_CODES).optional(),
});
export type ResultsQueueFilter = z.infer<typeof ResultsQueueFilter>;

/** `GET /api/results/:tpsCode/:ballot` and the answer of submit, verify and correct. */
export const ResultView = z.object({
  tpsCode: z.string(),
  ballot: Ballot,
  status: ResultStatus,
  form: CHasilForm.nullable(),
  version: z.number().int(),
  submittedBy: z.string().nullable(),
  submittedAt: z.string().nullable(),
  verifiedBy: z.string().nullable().optional(),
  verifiedAt: z.string().nullable().optional(),
  flags: z.array(Flag),
  /** Photos of the C.Hasil sheets, oldest first (version 2). */
  photos: z.array(PhotoView).optional(),
  /** Who wrote a corrected result's numbers: that verifier may not verify them (version 2). */
  correctedBy: z.string().nullable().optional(),
});
export type ResultView = z.infer<typeof ResultView>;

/**
 * A correction a verifier proposed (version 2). `open` until the operator confirms or disputes it or
 * the verifier withdraws it; `stale` once the result changed or a newer proposal came; `expired`
 * after `expiresAt`.
 */
export const ProposalStatus = z.enum(['open', 'confirmed', 'disputed', 'withdrawn', 'stale', 'expired']);
export type ProposalStatus = z.infer<typeof ProposalStatus>;
const Person = z.object({ userId: z.string(), username: z.string().optional() });
export const ProposalView = z.object({
  proposalId: z.string(),
  tpsCode: z.string(),
  ballot: Ballot,
  /** The result's version the proposal made (its own event); confirming needs nothing to have changed since. */
  version: z.number().int(),
  status: ProposalStatus,
  before: CHasilForm,
  after: CHasilForm,
  reason: z.string(),
  flags: z.array(Flag),
  proposedBy: Person,
  proposedAt: z.string(),
  expiresAt: z.string(),
  /** Who closed it and when (operator: confirmed/disputed; verifier: withdrawn), with the dispute's reason. */
  answeredBy: Person.nullable(),
  answeredAt: z.string().nullable(),
  answerReason: z.string().nullable(),
});
export type ProposalView = z.infer<typeof ProposalView>;
/** `POST …/corrections` without `operatorConfirmation`: 202. */
export const ProposeCorrectionResponse = z.object({ proposalId: z.string(), status: z.literal('proposed'), proposal: ProposalView });
export type ProposeCorrectionResponse = z.infer<typeof ProposeCorrectionResponse>;

export const SubmitResultResponse = z.object({
  tpsCode: z.string(),
  ballot: Ballot,
  status: z.literal('submitted'),
  version: z.number().int(),
  flags: z.array(Flag).optional(),
});
export type SubmitResultResponse = z.infer<typeof SubmitResultResponse>;

/** One entry of `GET …/history`. For a correction, `data` holds `before` and `after`. */
export const HistoryEntry = z.object({
  type: z.string(),
  version: z.number().int(),
  at: z.string(),
  by: z.object({ userId: z.string(), username: z.string().optional(), role: z.string() }),
  data: z.record(z.string(), z.unknown()),
  hash: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const ValidateResponse = z.object({
  ok: z.boolean(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
  warnings: z.array(Flag),
  /** Issues or warnings left out of the lists (each lists at most MAX_LISTED_ISSUES). */
  moreIssues: z.number().int().optional(),
  /** Every issue is arithmetic: the form may be stored as written (`form.asWritten: true`) if the paper says so. */
  canStoreAsWritten: z.boolean().optional(),
});
export type ValidateResponse = z.infer<typeof ValidateResponse>;

export const Totals = z.object({
  /** Votes per option. Party ballots: key = party number (party + candidates); "2.c5" = candidate 5 of party 2; "2.p" = party-only. */
  votes: z.record(z.string(), z.number()),
  valid: z.number(),
  invalid: z.number(),
  /**
   * DPR/DPRD ballots, a region whose TPS vote in more than one dapil: each dapil's party totals
   * (party + candidates) within the region. Such a region's `votes` then has no candidate keys: a
   * candidate number is a different person in each dapil (see `GET /api/tallies/dapil/:code`).
   */
  byDapil: z.record(z.string(), z.record(z.string(), z.number())).optional(),
});
export type Totals = z.infer<typeof Totals>;

export const Progress = z.object({
  tpsTotal: z.number().int(),
  tpsReported: z.number().int(),
  tpsVerified: z.number().int(),
  /** TPS whose every submitted ballot has at least one photo (version 2; the same in every ballot's tally). */
  tpsWithPhoto: z.number().int().optional(),
});
export type Progress = z.infer<typeof Progress>;

export const TallyChild = z.object({
  code: z.string(),
  level: RegionLevel,
  name: z.string(),
  totals: Totals,
  progress: Progress,
  status: z.string().optional(),
});

/** `GET /api/tallies/:regionCode?ballot=…` and the socket `tally` payload. */
export const TallyView = z.object({
  region: z.object({ code: z.string(), level: RegionLevel, name: z.string() }),
  ballot: Ballot,
  electionId: z.string().optional(),
  totals: Totals,
  progress: Progress,
  children: z.array(TallyChild),
  /** Projection position: opaque, grows monotonically; compare with `comparePositions`. */
  position: z.string(),
  updatedAt: z.string().nullable().optional(),
});
export type TallyView = z.infer<typeof TallyView>;

/** A dapil code as the master data writes it (e.g. `DPRD-LABUSEL-01`); never a region code. */
export const DapilCode = z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'kode dapil tidak valid');

/** `GET /api/dapil?ballot=…`: the dapils of the party-list ballots. */
export const DapilSummary = z.object({
  code: z.string(),
  name: z.string(),
  ballot: Ballot,
  seats: z.number().int(),
  regionCodes: z.array(z.string()),
  /** Every TPS of the dapil is in this deployment: only then is a seat projection shown. */
  whole: z.boolean(),
  /** Placeholder master data, not the real KPU list. */
  generated: z.boolean().optional(),
});
export type DapilSummary = z.infer<typeof DapilSummary>;

/** One party of a dapil tally: party-only votes, each candidate's, and their total. */
export const DapilPartyTotals = z.object({ party: z.number(), candidates: z.record(z.string(), z.number()), total: z.number() });
export type DapilPartyTotals = z.infer<typeof DapilPartyTotals>;

/** The label every seat projection carries (on screen and in the API). */
export const SEAT_PROJECTION_LABEL = 'proyeksi kursi (sementara, bukan hasil resmi)';

/**
 * `GET /api/tallies/dapil/:dapilCode?ballot=…` and the socket `tally` payload of a dapil room.
 * `seats` (Sainte-Laguë on the party totals so far) only when the dapil is `whole`; each entry has
 * the votes it rests on, and `seatsLabel` says what it is.
 */
export const DapilTallyView = z.object({
  dapil: z.object({ code: z.string(), name: z.string(), seats: z.number().int(), whole: z.boolean(), generated: z.boolean().optional() }),
  ballot: Ballot,
  electionId: z.string().optional(),
  totals: z.object({ parties: z.record(z.string(), DapilPartyTotals), valid: z.number(), invalid: z.number() }),
  progress: Progress,
  seats: z.array(z.object({ party: z.string(), seats: z.number().int(), votes: z.number() })).optional(),
  seatsLabel: z.literal(SEAT_PROJECTION_LABEL).optional(),
  position: z.string(),
  updatedAt: z.string().nullable().optional(),
});
export type DapilTallyView = z.infer<typeof DapilTallyView>;

export const Anomaly = z.object({
  tpsCode: z.string(),
  ballot: Ballot,
  flags: z.array(Flag),
  status: ResultStatus,
  version: z.number().int().optional(),
});
export type Anomaly = z.infer<typeof Anomaly>;

export const UserView = z.object({
  id: z.string(),
  username: z.string(),
  role: Role,
  scope: z.array(z.string()),
  disabled: z.boolean().optional(),
});
export type UserView = z.infer<typeof UserView>;

/** Shortest password accepted for any role; the server also refuses common and guessable ones. */
export const MIN_PASSWORD_LENGTH = 10;

export const LoginBody = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
export const LoginResponse = z.object({ token: z.string(), expiresAt: z.string().optional(), user: UserView });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const CreateUserBody = z.strictObject({
  username: z.string().min(3).max(64).regex(/^[a-zA-Z0-9._-]+$/, 'hanya huruf, angka, titik, - dan _'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `kata sandi minimal ${MIN_PASSWORD_LENGTH} karakter`).max(256),
  role: Role,
  scope: z.array(z.string().max(20).regex(/^[0-9.]+$/)).max(2000).optional(),
});
export type CreateUserBody = z.input<typeof CreateUserBody>;

/** Most issues an answer lists: an answer never grows with a hostile request (a body of 5,000 unknown keys). */
export const MAX_LISTED_ISSUES = 50;

export const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** How many more issues there were than the MAX_LISTED_ISSUES listed. */
  moreIssues: z.number().int().optional(),
  /** For a 409: what is stored (status, version, who, when). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** `GET /health`: anyone gets `status`; the rest only an admin's token or the metrics token. */
export const HealthView = z.object({
  status: z.enum(['ok', 'degraded']),
  roles: z.array(z.string()).optional(),
  eventStore: z.object({ kind: z.string(), ok: z.boolean(), position: z.string().nullable().optional() }).passthrough().optional(),
  readModel: z.object({ ok: z.boolean() }).passthrough().optional(),
  projection: z.object({ position: z.string().nullable(), lag: z.number().nullable() }).passthrough().optional(),
  /** In a process that seals: whether the last attempt worked. */
  sealer: z.object({ ok: z.boolean(), error: z.string().optional() }).optional(),
  /**
   * With READ_DATABASE_URL: whether the replica answered its last tally read (`ok` false: it failed
   * and the primary answers meanwhile, so the service is not degraded), and where it was.
   */
  readReplica: z.object({ ok: z.boolean(), position: z.string().nullable(), error: z.string().optional() }).optional(),
}).passthrough();
export type HealthView = z.infer<typeof HealthView>;

export { comparePositions } from './position';
