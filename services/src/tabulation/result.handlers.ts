import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { parseProposalId } from '@suara/contracts';
import { APP_CONFIG, type AppConfig } from '../config';
import { ApiError } from '../http/api-error';
import { ElectionService } from '../election/election.service';
import type { AuthUser } from '../identity/auth.decorators';
import { validateForm, type FlagContext } from './chasil.validation';
import { DesaShares } from './desa-shares';
import { AnswerProposalCommand, CorrectResultCommand, SubmitResultCommand, VerifyResultCommand, type CorrectionOutcome } from './result.commands';
import {
  decide, evolve, initialState, isDomainError, toProposalView, toResultView, toSubmitResponse, type ResultCommand, type ResultKey, type ResultState,
} from './result.decider';
import { ProposalChanged } from './proposal-changed.event';
import { ConcurrencyError, ResultRepository } from './result.repository';

/** A concurrent writer won the race this many times in a row: give up with a 409 rather than spin. */
const MAX_ATTEMPTS = 5;

/**
 * Load → decide → append, again on a fresh state when another writer got there first, so a lost
 * race ends in the same answer a later request would get (409 already_submitted, or 200 for a retry).
 */
export async function execute(
  repo: ResultRepository, key: ResultKey, command: ResultCommand, user: AuthUser, requestId: string, at: () => string, masterDataVersion?: number,
) {
  for (let attempt = 1; ; attempt++) {
    // Nearly every submission is the first for its stream: try that without reading the stream; the
    // store refuses it (NO_STREAM) when the stream exists (already submitted, or photos came first),
    // and the next attempt reads it.
    const { state } = command.type === 'SubmitResult' && attempt === 1 ? { state: initialState() } : await repo.load(key);
    const decision = decideOrThrow(command, state);
    if (decision.events.length === 0) return { state, created: false };
    try {
      const metadata = {
        userId: user.id, username: user.username, role: user.role, at: at(), requestId, electionId: key.electionId,
        ...(masterDataVersion !== undefined ? { masterDataVersion } : {}),
      };
      await repo.append(key, state.version, decision.events, metadata);
      const next = decision.events.reduce((s, e) => evolve(s, { ...e, metadata }), state);
      return { state: next, created: true };
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

function decideOrThrow(command: ResultCommand, state: ResultState) {
  try {
    return decide(command, state);
  } catch (err) {
    if (isDomainError(err)) throw new ApiError(err.status, err.code, err.message, err.issues, undefined, err.details);
    throw err;
  }
}

export const now = () => new Date().toISOString();

/** The stream key under the active election id, and the master-data version the command is checked against. */
async function activeKey(election: ElectionService, tpsCode: string, ballot: ResultKey['ballot']): Promise<{ key: ResultKey; version: number }> {
  const d = await election.deployment();
  return { key: { electionId: d.activeElectionId, tpsCode, ballot }, version: d.masterDataVersion };
}

function validOrThrow(election: ElectionService, key: ResultKey, form: unknown, context: FlagContext = {}) {
  const result = validateForm(key.ballot, election.sheet(key.tpsCode, key.ballot), form, context);
  if (!result.ok) {
    // `canStoreAsWritten` tells the form it may offer "angka ini sesuai yang tertulis di formulir".
    throw new ApiError(400, 'invalid_form', `Formulir C.Hasil tidak sah: ${result.issues.length} masalah`, result.issues, undefined,
      result.canStoreAsWritten ? { canStoreAsWritten: true } : undefined);
  }
  return result;
}

@CommandHandler(SubmitResultCommand)
export class SubmitResultHandler implements ICommandHandler<SubmitResultCommand> {
  constructor(private readonly repo: ResultRepository, private readonly election: ElectionService, private readonly desaShares: DesaShares) {}

  async execute({ user, requestId, body }: SubmitResultCommand) {
    const { key, version } = await activeKey(this.election, body.tpsCode, body.ballot);
    const desa = await this.desaShares.of(key.electionId, key.tpsCode, key.ballot);
    const { form, flags } = validOrThrow(this.election, key, body.form, desa);
    const command = {
      type: 'SubmitResult' as const, ...key, clientRequestId: body.clientRequestId, form, flags, by: { userId: user.id, role: user.role },
      ...(body.onBehalf ? { onBehalf: body.onBehalf } : {}),
    };
    const { state, created } = await execute(this.repo, key, command, user, requestId, now, version);
    return { created, body: toSubmitResponse(key.tpsCode, key.ballot, state) };
  }
}

@CommandHandler(VerifyResultCommand)
export class VerifyResultHandler implements ICommandHandler<VerifyResultCommand> {
  constructor(private readonly repo: ResultRepository, private readonly election: ElectionService) {}

  async execute({ user, requestId, tpsCode, ballot, expectedVersion }: VerifyResultCommand) {
    const { key, version } = await activeKey(this.election, tpsCode, ballot);
    const command = { type: 'VerifyResult' as const, ...key, expectedVersion, by: { userId: user.id, role: user.role } };
    const { state } = await execute(this.repo, key, command, user, requestId, now, version);
    return toResultView(tpsCode, ballot, state);
  }
}

/** With the operator's confirmation (phone) the correction applies: `applied`; without, it is proposed (202). */
@CommandHandler(CorrectResultCommand)
export class CorrectResultHandler implements ICommandHandler<CorrectResultCommand> {
  constructor(
    private readonly repo: ResultRepository,
    private readonly election: ElectionService,
    private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly desaShares: DesaShares,
  ) {}

  async execute({ user, requestId, tpsCode, ballot, body }: CorrectResultCommand): Promise<CorrectionOutcome> {
    const { key, version } = await activeKey(this.election, tpsCode, ballot);
    // As at submit time, the form is compared with the desa's other TPS (its own old numbers left out).
    const desa = await this.desaShares.ofOthers(key.electionId, key.tpsCode, key.ballot);
    const { form, flags } = validOrThrow(this.election, key, body.form, desa);
    const by = { userId: user.id, role: user.role };
    const base = { ...key, expectedVersion: body.expectedVersion, form, flags, reason: body.reason, by };
    if (body.operatorConfirmation !== undefined) {
      const { state } = await execute(this.repo, key, { type: 'CorrectResult', ...base, operatorConfirmation: body.operatorConfirmation }, user, requestId, now, version);
      return { applied: true, result: toResultView(tpsCode, ballot, state) };
    }
    const at = now();
    const command = { type: 'ProposeCorrection' as const, ...base, now: at, ttlSeconds: this.config.proposalTtlSeconds };
    const { state } = await execute(this.repo, key, command, user, requestId, () => at, version);
    const proposal = toProposalView(tpsCode, ballot, state, state.proposals.at(-1)!, at);
    this.bus.publish(new ProposalChanged(proposal));
    return { applied: false, proposal };
  }
}

/** Confirm, dispute or withdraw: the answer to the proposal, and the result as it stands after it. */
@CommandHandler(AnswerProposalCommand)
export class AnswerProposalHandler implements ICommandHandler<AnswerProposalCommand> {
  constructor(private readonly repo: ResultRepository, private readonly election: ElectionService, private readonly bus: EventBus) {}

  async execute({ user, requestId, proposalId, answer }: AnswerProposalCommand) {
    const { tpsCode, ballot } = parseProposalId(proposalId);
    const { key, version } = await activeKey(this.election, tpsCode, ballot);
    const at = now();
    const common = { ...key, proposalId, now: at, by: { userId: user.id, role: user.role } };
    const command: ResultCommand =
      answer.action === 'confirm' ? { type: 'ConfirmProposal', ...common }
      : answer.action === 'dispute' ? { type: 'DisputeProposal', ...common, reason: answer.reason }
      : { type: 'WithdrawProposal', ...common };
    const { state } = await execute(this.repo, key, command, user, requestId, () => at, version);
    const proposal = toProposalView(tpsCode, ballot, state, state.proposals.find((p) => p.proposalId === proposalId)!, at);
    this.bus.publish(new ProposalChanged(proposal));
    return { proposal, result: toResultView(tpsCode, ballot, state) };
  }
}

export const RESULT_HANDLERS = [SubmitResultHandler, VerifyResultHandler, CorrectResultHandler, AnswerProposalHandler];
