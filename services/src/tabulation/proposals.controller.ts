import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  DisputeProposalBody, parseProposalId, ProposalId, ProposalStatus, ProposalView, ResultView,
} from '@suara/contracts';
import { ApiDoc } from '../openapi/api-doc';
import { ElectionService } from '../election/election.service';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { assertTpsInScope } from '../identity/scope';
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
  @ApiDoc({ summary: 'One proposal with its status now', params: Params, response: ProposalView, errors: [404] })
  async get(@Param('proposalId') raw: string, @CurrentUser() user: AuthUser): Promise<ProposalView> {
    const id = this.id(user, raw);
    const { tpsCode, ballot } = parseProposalId(id);
    const { state } = await this.results.load({ electionId: await this.election.activeElectionId(), tpsCode, ballot });
    const proposal = state.proposals.find((p) => p.proposalId === id);
    if (!proposal) throw new ApiError(404, 'proposal_not_found', `usulan koreksi ${id} tidak ditemukan`);
    return toProposalView(tpsCode, ballot, state, proposal, now());
  }

  @Post(':proposalId/confirm')
  @Roles('operator')
  @HttpCode(200)
  @ApiDoc({ summary: "The TPS's operator confirms: the correction applies, the history names both", params: Params, response: Answer, errors: [404, 409] })
  confirm(@Param('proposalId') raw: string, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<Answer> {
    return this.commands.execute(new AnswerProposalCommand(user, req.id, this.id(user, raw), { action: 'confirm' }));
  }

  @Post(':proposalId/dispute')
  @Roles('operator')
  @HttpCode(200)
  @ApiDoc({ summary: "The TPS's operator disputes with a reason: the proposal closes unapplied", params: Params, body: DisputeProposalBody, response: Answer, errors: [404, 409] })
  dispute(@Param('proposalId') raw: string, @Body() body: unknown, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<Answer> {
    const id = this.id(user, raw);
    const { reason } = parseBody(DisputeProposalBody, body);
    return this.commands.execute(new AnswerProposalCommand(user, req.id, id, { action: 'dispute', reason }));
  }

  /** The proposer takes it back (another verifier gets 403 not_proposer). */
  @Post(':proposalId/withdraw')
  @Roles('verifier')
  @HttpCode(200)
  @ApiDoc({ summary: 'Its proposer takes the proposal back', params: Params, response: Answer, errors: [404, 409] })
  withdraw(@Param('proposalId') raw: string, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<Answer> {
    return this.commands.execute(new AnswerProposalCommand(user, req.id, this.id(user, raw), { action: 'withdraw' }));
  }

  /** A well-formed id of a known TPS inside the user's scope (403 otherwise). */
  private id(user: AuthUser, raw: string): string {
    const id = parseParam(ProposalId, raw, 'proposalId');
    const { tpsCode } = parseProposalId(id);
    this.election.requireTps(tpsCode);
    assertTpsInScope(user, tpsCode);
    return id;
  }
}
