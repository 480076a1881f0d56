import { Command } from '@nestjs/cqrs';
import type { Ballot, ProposalView, ResultView, SubmitResultResponse } from '@suara/contracts';
import type { AuthUser } from '../identity/auth.decorators';

/** A submission's answer: `created` false when the same clientRequestId came before (the first answer again). */
export interface SubmitOutcome { created: boolean; body: SubmitResultResponse }
/** A correction applies at once (confirmed by phone) or is proposed to the TPS's operator. */
export type CorrectionOutcome = { applied: true; result: ResultView } | { applied: false; proposal: ProposalView };

/** Command messages dispatched through @nestjs/cqrs, typed by their answer; the bodies are already parsed. */
export class SubmitResultCommand extends Command<SubmitOutcome> {
  constructor(readonly user: AuthUser, readonly requestId: string, readonly body: { tpsCode: string; ballot: Ballot; clientRequestId: string; form: unknown; onBehalf?: { reason: string } }) {
    super();
  }
}
export class VerifyResultCommand extends Command<ResultView> {
  constructor(readonly user: AuthUser, readonly requestId: string, readonly tpsCode: string, readonly ballot: Ballot, readonly expectedVersion: number) {
    super();
  }
}
export class CorrectResultCommand extends Command<CorrectionOutcome> {
  constructor(
    readonly user: AuthUser,
    readonly requestId: string,
    readonly tpsCode: string,
    readonly ballot: Ballot,
    readonly body: { expectedVersion: number; form: unknown; reason: string; operatorConfirmation?: string },
  ) {
    super();
  }
}
/** The TPS's operator confirms or disputes a proposal; its proposer withdraws it. The route checked role and scope. */
export class AnswerProposalCommand extends Command<{ proposal: ProposalView; result: ResultView }> {
  constructor(
    readonly user: AuthUser,
    readonly requestId: string,
    readonly proposalId: string,
    readonly answer: { action: 'confirm' } | { action: 'dispute'; reason: string } | { action: 'withdraw' },
  ) {
    super();
  }
}
