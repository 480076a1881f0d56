import { z } from 'zod';
import { Ballot } from './ids';
import { CHasilForm, Flag } from './form';

export const Role = z.enum(['admin', 'verifier', 'official', 'operator']);
export type Role = z.infer<typeof Role>;

/** Metadata every event carries: who, when, which request, and the link of its stream's hash chain. */
export const EventMetadata = z.object({
  userId: z.string(),
  /** The username at the time, so the audit trail reads without a join. */
  username: z.string().optional(),
  role: Role.or(z.literal('system')),
  at: z.string(),
  requestId: z.string(),
  electionId: z.string(),
  /** The master-data version the command was checked against; absent on events written before versions existed (= 1). */
  masterDataVersion: z.number().int().min(1).optional(),
  /** Hash of the previous event in the same stream ("" for the first). Set by the event store. */
  prevHash: z.string().optional(),
  /** This event's own hash over prevHash, type, data and the fields above. Set by the event store. */
  hash: z.string().optional(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

const resultKey = { electionId: z.string(), tpsCode: z.string(), ballot: Ballot };

export const ResultSubmitted = z.object({
  type: z.literal('ResultSubmitted'),
  data: z.object({
    ...resultKey,
    clientRequestId: z.string(),
    form: CHasilForm,
    flags: z.array(Flag),
    /** Present when a verifier entered the form for an unreachable operator: why. */
    onBehalf: z.object({ reason: z.string() }).optional(),
  }),
});
export const ResultVerified = z.object({
  type: z.literal('ResultVerified'),
  data: z.object({ ...resultKey }),
});
export const ResultCorrected = z.object({
  type: z.literal('ResultCorrected'),
  data: z.object({
    ...resultKey,
    before: CHasilForm,
    after: CHasilForm,
    reason: z.string(),
    operatorConfirmation: z.string(),
    flags: z.array(Flag),
    /**
     * How the operator confirmed (version 2): `phone` = outside the app, told in `operatorConfirmation`
     * by the verifier; `app` = the operator confirmed proposal `proposalId` of `proposedBy` in the app
     * (the event's metadata names the operator). Absent on version 1 events (= phone).
     */
    confirmedVia: z.enum(['phone', 'app']).optional(),
    proposalId: z.string().optional(),
    proposedBy: z.object({ userId: z.string(), username: z.string().optional() }).optional(),
  }),
});
/**
 * A verifier proposed a correction (version 2): the tallies do not move until the TPS's operator
 * confirms it (then a `ResultCorrected` with `confirmedVia: 'app'`). Its id is `proposalId(tps, ballot, version)`.
 */
export const CorrectionProposed = z.object({
  type: z.literal('CorrectionProposed'),
  data: z.object({
    ...resultKey,
    proposalId: z.string(),
    before: CHasilForm,
    after: CHasilForm,
    reason: z.string(),
    flags: z.array(Flag),
    expiresAt: z.string(),
  }),
});
/** The operator disputed a proposal: it closes unapplied, with the operator's reason. */
export const ProposalDisputed = z.object({
  type: z.literal('ProposalDisputed'),
  data: z.object({ ...resultKey, proposalId: z.string(), reason: z.string() }),
});
/** The verifier took a proposal back before the operator answered. */
export const ProposalWithdrawn = z.object({
  type: z.literal('ProposalWithdrawn'),
  data: z.object({ ...resultKey, proposalId: z.string() }),
});
/** Image types a photo of a C.Hasil sheet may have (phone browsers hand HEIC over as JPEG). */
export const PHOTO_CONTENT_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const PhotoContentType = z.enum(PHOTO_CONTENT_TYPES);
export type PhotoContentType = z.infer<typeof PhotoContentType>;
/** Lowercase hex SHA-256 of a photo's bytes: its name in the blob store. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 heksadesimal, 64 karakter');

/**
 * A photo of a C.Hasil sheet was attached to the result, before or after its numbers. The photo's
 * SHA-256 is thereby in the stream's hash chain; the bytes live in the blob store under that name.
 * Never changes the numbers or the status. `width`/`height` as displayed (EXIF orientation applied).
 */
export const PhotoAttached = z.object({
  type: z.literal('PhotoAttached'),
  data: z.object({
    ...resultKey,
    sha256: Sha256Hex,
    contentType: PhotoContentType,
    bytes: z.number().int().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    /** 1-based page of the sheet; null when the uploader did not say. */
    page: z.number().int().positive().nullable(),
  }),
});
export const ResultEvent = z.discriminatedUnion('type', [
  ResultSubmitted, ResultVerified, ResultCorrected, PhotoAttached, CorrectionProposed, ProposalDisputed, ProposalWithdrawn,
]);
export type CorrectionProposed = z.infer<typeof CorrectionProposed>;
export type PhotoAttached = z.infer<typeof PhotoAttached>;
export type ResultSubmitted = z.infer<typeof ResultSubmitted>;
export type ResultVerified = z.infer<typeof ResultVerified>;
export type ResultCorrected = z.infer<typeof ResultCorrected>;
export type ResultEvent = z.infer<typeof ResultEvent>;
export type ResultEventType = ResultEvent['type'];

/** The stream of one (election, TPS, ballot). */
export function resultStreamId(electionId: string, tpsCode: string, ballot: Ballot): string {
  return `result-${electionId}-${tpsCode}-${ballot}`;
}
export const RESULT_STREAM_PREFIX = 'result-';
