import { z } from 'zod';
import { Ballot, TpsCode } from './ids';
import { CHasilForm } from './form';

export const ClientRequestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'hanya huruf, angka, - dan _');

/** `POST /api/results` and `POST /api/results/validate`. */
export const SubmitResultBody = z.strictObject({
  tpsCode: TpsCode,
  ballot: Ballot,
  clientRequestId: ClientRequestId,
  form: z.unknown(),
});
export type SubmitResultBody = z.input<typeof SubmitResultBody>;

export const ValidateResultBody = SubmitResultBody.extend({ clientRequestId: ClientRequestId.optional() });

export const ExpectedVersion = z.number().int().min(0).max(1_000_000);

export const VerifyResultBody = z.strictObject({ expectedVersion: ExpectedVersion });
export type VerifyResultBody = z.infer<typeof VerifyResultBody>;

export const CorrectResultBody = z.strictObject({
  expectedVersion: ExpectedVersion,
  form: z.unknown(),
  reason: z.string().trim().min(5, 'alasan koreksi wajib diisi').max(1000),
  /** How the operator confirmed the mistake (who, how, when), e.g. "dikonfirmasi via telepon, Budi". */
  operatorConfirmation: z.string().trim().min(3, 'konfirmasi operator wajib diisi').max(500),
});
export type CorrectResultBody = z.input<typeof CorrectResultBody>;

export type { CHasilForm };
