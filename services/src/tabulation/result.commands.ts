import type { Ballot } from '@suara/contracts';
import type { AuthUser } from '../identity/auth.decorators';

/** Command messages dispatched through @nestjs/cqrs; the bodies are already parsed. */
export class SubmitResultCommand {
  constructor(readonly user: AuthUser, readonly requestId: string, readonly body: { tpsCode: string; ballot: Ballot; clientRequestId: string; form: unknown; onBehalf?: { reason: string } }) {}
}
export class VerifyResultCommand {
  constructor(readonly user: AuthUser, readonly requestId: string, readonly tpsCode: string, readonly ballot: Ballot, readonly expectedVersion: number) {}
}
export class CorrectResultCommand {
  constructor(
    readonly user: AuthUser,
    readonly requestId: string,
    readonly tpsCode: string,
    readonly ballot: Ballot,
    readonly body: { expectedVersion: number; form: unknown; reason: string; operatorConfirmation?: string },
  ) {}
}
/** The TPS's operator confirms or disputes a proposal; its proposer withdraws it. The route checked role and scope. */
export class AnswerProposalCommand {
  constructor(
    readonly user: AuthUser,
    readonly requestId: string,
    readonly proposalId: string,
    readonly answer: { action: 'confirm' } | { action: 'dispute'; reason: string } | { action: 'withdraw' },
  ) {}
}
