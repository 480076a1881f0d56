import { z } from 'zod';
import { Ballot, TpsCode } from './ids';
import { CHasilForm } from './form';
import { textField } from './text';

export const ClientRequestId = z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/, 'hanya huruf, angka, - dan _');

/** `POST /api/results` and `POST /api/results/validate`. */
/** A verifier entering a form for an operator who cannot (no signal, phone lost): why, for the history. */
export const OnBehalf = z.strictObject({
  reason: textField({ label: 'alasan entri atas nama operator', min: 5, max: 500, multiline: true }),
});
export type OnBehalf = z.infer<typeof OnBehalf>;

/** `POST /api/results` and `POST /api/results/validate`. `onBehalf` only from a verifier. */
export const SubmitResultBody = z.strictObject({
  tpsCode: TpsCode,
  ballot: Ballot,
  clientRequestId: ClientRequestId,
  form: z.unknown(),
  onBehalf: OnBehalf.optional(),
});
export type SubmitResultBody = z.input<typeof SubmitResultBody>;

export const ValidateResultBody = SubmitResultBody.extend({ clientRequestId: ClientRequestId.optional() });

export const ExpectedVersion = z.number().int().min(0).max(1_000_000);

export const VerifyResultBody = z.strictObject({ expectedVersion: ExpectedVersion });
export type VerifyResultBody = z.infer<typeof VerifyResultBody>;

export const CorrectResultBody = z.strictObject({
  expectedVersion: ExpectedVersion,
  form: z.unknown(),
  reason: textField({ label: 'alasan koreksi', min: 5, max: 1000, multiline: true }),
  /** How the operator confirmed the mistake (who, how, when), e.g. "dikonfirmasi via telepon, Budi". */
  operatorConfirmation: textField({ label: 'konfirmasi operator', min: 3, max: 500 }),
});
export type CorrectResultBody = z.input<typeof CorrectResultBody>;

export type { CHasilForm };
