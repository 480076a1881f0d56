import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  DisputeProposalBody, ProposalId, ProposalStatus, ProposalView, ResultView,
} from '@suara/contracts';
import { ApiDoc } from '../openapi/api-doc';
import { ElectionService } from '../election/election.service';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { CheckedProposalId, CheckedTps, TpsAccess, type Checked } from '../identity/tps-access';
import { ApiError } from '../http/api-error';
import { parseBody, parseParam } from '../http/parse-body';
import { AnswerProposalCommand } from './result.commands';
import { toProposalView } from './result.decider';
import { ProposalsRepository } from './proposals.repository';
import { ResultRepository } from './result.repository';
import { now } from './result.handlers';

type Answer = { proposal: ProposalView; result: ResultView };
const Answer = z.object({ proposal: ProposalView, result: ResultView });
const Params = { proposalId: ProposalId };

/**
 * Corrections the operator confirms (API.md version 2): a verifier's proposal waits for the TPS's
 * operator, who confirms it (the correction applies) or disputes it; the proposer may withdraw it.
 * Operators act only on TPS of their own scope.
 */
@Controller('api/proposals')
export class ProposalsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly election: ElectionService,
    private readonly proposals: ProposalsRepository,
    private readonly results: ResultRepository,
  ) {}

  /** `?status=open` (default) or a comma list (`open,confirmed,disputed,withdrawn,stale,expired`); operators see their scope only. */
  @Get()
  @Roles('operator', 'verifier', 'admin')
  @ApiDoc({
    summary: 'Correction proposals, newest first (operators: their own scope)',
    query: z.object({ status: z.string().optional().describe('comma-separated ProposalStatus list; default open') }),
    response: ProposalView.array(),
  })
  async list(@Query('status') status: unknown = 'open', @CurrentUser() user: AuthUser): Promise<ProposalView[]> {
    const statuses = parseParam(ProposalStatus.array().min(1).max(6), String(status).split(','), 'status');
    const within = user.role === 'operator' ? user.scope : undefined;
    return this.proposals.list(await this.election.activeElectionId(), statuses, within, now());
  }

  @Get(':proposalId')
  @Roles('operator', 'verifier', 'admin')
  @TpsAccess({ from: 'proposal' })
  @ApiDoc({ summary: 'One proposal with its status now', params: Params, response: ProposalView, errors: [404] })
  async get(@CheckedTps() { proposalId: id, tpsCode, ballot }: Checked): Promise<ProposalView> {
    const { state } = await this.results.load({ electionId: await this.election.activeElectionId(), tpsCode, ballot });
    const proposal = state.proposals.find((p) => p.proposalId === id);
    if (!proposal) throw new ApiError(404, 'proposal_not_found', `usulan koreksi ${id} tidak ditemukan`);
    return toProposalView(tpsCode, ballot, state, proposal, now());
  }

  @Post(':proposalId/confirm')
  @Roles('operator')
  @TpsAccess({ from: 'proposal' })
  @HttpCode(200)
  @ApiDoc({ summary: "The TPS's operator confirms: the correction applies, the history names both", params: Params, response: Answer, errors: [404, 409] })
  confirm(@CheckedProposalId() proposalId: string, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<Answer> {
    return this.commands.execute(new AnswerProposalCommand(user, req.id, proposalId, { action: 'confirm' }));
  }

  @Post(':proposalId/dispute')
  @Roles('operator')
  @TpsAccess({ from: 'proposal' })
  @HttpCode(200)
  @ApiDoc({ summary: "The TPS's operator disputes with a reason: the proposal closes unapplied", params: Params, body: DisputeProposalBody, response: Answer, errors: [404, 409] })
  dispute(@CheckedProposalId() proposalId: string, @Body() body: unknown, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<Answer> {
    const { reason } = parseBody(DisputeProposalBody, body);
    return this.commands.execute(new AnswerProposalCommand(user, req.id, proposalId, { action: 'dispute', reason }));
  }

  /** The proposer takes it back (another verifier gets 403 not_proposer). */
  @Post(':proposalId/withdraw')
  @Roles('verifier')
  @TpsAccess({ from: 'proposal' })
  @HttpCode(200)
  @ApiDoc({ summary: 'Its proposer takes the proposal back', params: Params, response: Answer, errors: [404, 409] })
  withdraw(@CheckedProposalId() proposalId: string, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<Answer> {
    return this.commands.execute(new AnswerProposalCommand(user, req.id, proposalId, { action: 'withdraw' }));
  }
}
