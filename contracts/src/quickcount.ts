import { z } from 'zod';
import { Ballot } from './ids';
import { textField } from './text';

export const DrawSampleBody = z.strictObject({
  ballot: Ballot,
  size: z.number().int().min(2).max(1_000_000),
  seed: textField({ label: 'seed', max: 64 }).optional(),
});
export type DrawSampleBody = z.infer<typeof DrawSampleBody>;

export const SampleStratum = z.object({ code: z.string(), name: z.string(), size: z.number().int(), received: z.number().int(), population: z.number().int().optional() });
export const Sample = z.object({
  size: z.number().int(),
  seed: z.string(),
  received: z.number().int(),
  tpsCodes: z.array(z.string()),
  strata: z.array(SampleStratum),
});
export type Sample = z.infer<typeof Sample>;

export const Estimate = z.object({ option: z.string(), share: z.number(), moe: z.number(), lower: z.number(), upper: z.number() });
export type Estimate = z.infer<typeof Estimate>;

/**
 * The quick count's call on a one-winner ballot (PPWP): the first moment the leader was above 50%
 * (`majority`) or ahead of the runner-up (`lead`) at `confidence`, with enough of the sample in.
 */
export const QuickCountCall = z.object({
  kind: z.enum(['majority', 'lead']),
  option: z.string(),
  /** When the sample TPS arrived that made the rule hold (ISO time). */
  since: z.string(),
  /** Sample TPS in at that moment. */
  received: z.number().int(),
  /** Whether the rule still holds on everything in now. */
  holds: z.boolean(),
});
export type QuickCountCall = z.infer<typeof QuickCountCall>;

/** Seats of a party in a dapil: at the estimate, and the 90% range over draws from its sampling distribution. */
export const SeatRange = z.object({ party: z.string(), seats: z.number().int(), low: z.number().int(), high: z.number().int() });
export type SeatRange = z.infer<typeof SeatRange>;

/** One dapil's party shares from the sample TPS inside it; seats only for a dapil wholly inside the deployment. */
export const DapilEstimate = z.object({
  code: z.string(),
  name: z.string(),
  seats: z.number().int(),
  /** Every TPS of the dapil is in this deployment (else the estimate covers only the part here). */
  whole: z.boolean(),
  /** Sample TPS of the dapil: drawn, and in so far. */
  sampleSize: z.number().int(),
  received: z.number().int(),
  preliminary: z.boolean(),
  estimates: z.array(Estimate),
  seatRanges: z.array(SeatRange).optional(),
});
export type DapilEstimate = z.infer<typeof DapilEstimate>;

/** `GET /api/quickcount?ballot=…` and the socket `quickcount` payload. */
export const QuickCountView = z.object({
  ballot: Ballot,
  /** The ballot whose drawn sample feeds the estimate: a Pileg ballot without its own uses PPWP's. */
  sampleBallot: Ballot.optional(),
  /** What the estimate is of: the deployment's region (the kabupaten); there is none for a kecamatan or desa. */
  coverage: z.object({ regionCode: z.string(), name: z.string() }).optional(),
  sample: Sample,
  confidence: z.number(),
  estimates: z.array(Estimate),
  /** True while too few sample TPS are in for the interval to mean much. */
  preliminary: z.boolean().optional(),
  /** PPWP: the calls made so far, at `callConfidence`. */
  calls: z.array(QuickCountCall).optional(),
  callConfidence: z.number().optional(),
  /** DPR, DPRD_PROV, DPRD_KAB: party shares (and seat ranges) per dapil. */
  dapils: z.array(DapilEstimate).optional(),
  position: z.string(),
});
export type QuickCountView = z.infer<typeof QuickCountView>;

/** `GET /api/admin/quickcount/plan?size=&spread=&share=`: the margin a sample size buys, before drawing. */
export const SamplePlanQuery = z.strictObject({
  size: z.coerce.number().int().min(2).max(1_000_000),
  /** SD of a TPS's share around its kecamatan's: the last election's, or the default. */
  spread: z.coerce.number().gt(0).max(0.5).optional(),
  share: z.coerce.number().gt(0).lt(1).optional(),
});
export type SamplePlanQuery = z.infer<typeof SamplePlanQuery>;

export const SamplePlan = z.object({
  size: z.number().int(),
  strata: z.array(z.object({ code: z.string(), name: z.string(), population: z.number().int(), size: z.number().int() })),
  assumptions: z.object({ spread: z.number(), share: z.number(), validPerTps: z.number(), confidence: z.number() }),
  /** Half-width at 95% with the whole sample in, and with half of it in. */
  moe: z.number(),
  moeHalfIn: z.number(),
  /** How far above 50% the leader must be for a call at 99% with half the sample in. */
  callMargin: z.number(),
  curve: z.array(z.object({ size: z.number().int(), moe: z.number() })),
});
export type SamplePlan = z.infer<typeof SamplePlan>;

export const PhaseBody = z.strictObject({ phase: z.literal('real') });
