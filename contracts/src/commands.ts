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
  /**
   * How the operator confirmed the mistake outside the app (who, how, when), e.g. "dikonfirmasi via
   * telepon, Budi": the correction applies at once. Without it the correction is a proposal the
   * operator confirms or disputes in the app (version 2).
   */
  operatorConfirmation: textField({ label: 'konfirmasi operator', min: 3, max: 500 }).optional(),
});
export type CorrectResultBody = z.input<typeof CorrectResultBody>;

/** `POST /api/proposals/:proposalId/dispute`. */
export const DisputeProposalBody = z.strictObject({
  reason: textField({ label: 'alasan penolakan', min: 5, max: 1000, multiline: true }),
});
export type DisputeProposalBody = z.infer<typeof DisputeProposalBody>;

/** A proposal's id: `{tpsCode}-{ballot}-{version}`, the version of its `CorrectionProposed` in the result stream. */
export const ProposalId = z
  .string()
  .max(40)
  .regex(/^[0-9]{13}-(PPWP|DPR|DPD|DPRD_PROV|DPRD_KAB)-[0-9]{1,7}$/, 'kode usulan tidak dikenal');

export function proposalId(tpsCode: string, ballot: Ballot, version: number): string {
  return `${tpsCode}-${ballot}-${version}`;
}

export function parseProposalId(id: string): { tpsCode: string; ballot: Ballot; version: number } {
  const [tpsCode, ballot, version] = [id.slice(0, 13), id.slice(14, id.lastIndexOf('-')), id.slice(id.lastIndexOf('-') + 1)];
  return { tpsCode, ballot: Ballot.parse(ballot), version: Number(version) };
}

export type { CHasilForm };
