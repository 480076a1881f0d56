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

/** `GET /api/quickcount?ballot=…` and the socket `quickcount` payload. */
export const QuickCountView = z.object({
  ballot: Ballot,
  sample: Sample,
  confidence: z.number(),
  estimates: z.array(Estimate),
  /** True while too few sample TPS are in for the interval to mean much. */
  preliminary: z.boolean().optional(),
  position: z.string(),
});
export type QuickCountView = z.infer<typeof QuickCountView>;

export const PhaseBody = z.strictObject({ phase: z.literal('real') });
