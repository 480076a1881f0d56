import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  Ballot, CHasilForm, CorrectResultBody, HistoryEntry, ProposeCorrectionResponse, ResultView, SubmitResultBody, SubmitResultResponse,
  TpsCode, ValidateResponse, ValidateResultBody, VerifyResultBody,
} from '@suara/contracts';
import { ElectionService } from '../election/election.service';
import { CurrentUser, Roles, type AuthUser } from '../identity/auth.decorators';
import { CheckedBody, CheckedTps, TpsAccess, type Checked } from '../identity/tps-access';
import { parseBody } from '../http/parse-body';
import { boundIssues } from '../http/api-error';
import { validateForm } from './chasil.validation';
import { DesaShares } from './desa-shares';
import { CorrectResultCommand, SubmitResultCommand, VerifyResultCommand } from './result.commands';
import { toResultView } from './result.decider';
import { ResultRepository } from './result.repository';
import { toHistory } from './result.history';
import { ApiDoc } from '../openapi/api-doc';
import { outcomeOf, submissions } from '../metrics/metrics';

/** A result's path parameters. */
const ResultKey = { tpsCode: TpsCode, ballot: Ballot };
const countSubmission = (err: unknown) => submissions.inc({ outcome: outcomeOf(err) });

@Controller('api/results')
export class ResultsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly election: ElectionService,
    private readonly repo: ResultRepository,
    private readonly desaShares: DesaShares,
  ) {}

  /** Dry run: every problem and every flag, nothing stored. */
  @Post('validate')
  @Roles('operator', 'verifier')
  @TpsAccess({ from: ValidateResultBody, budget: 'validations', budgetFirst: true })
  @HttpCode(200)
  @ApiDoc({ summary: 'Dry run of the C.Hasil check: every problem and flag, nothing stored', body: ValidateResultBody.extend({ form: CHasilForm }), response: ValidateResponse, errors: [404, 429] })
  async validate(@CheckedBody() body: z.output<typeof ValidateResultBody>): Promise<ValidateResponse> {
    const electionId = await this.election.activeElectionId();
    const desa = await this.desaShares.of(electionId, body.tpsCode, body.ballot);
    const result = validateForm(body.ballot, this.election.sheet(body.tpsCode, body.ballot), body.form, desa);
    const issues = boundIssues(result.ok ? [] : result.issues);
    const warnings = boundIssues(result.flags);
    const more = issues.more + warnings.more;
    return {
      ok: result.ok, issues: issues.issues, warnings: warnings.issues, ...(more ? { moreIssues: more } : {}),
      ...(!result.ok && result.canStoreAsWritten ? { canStoreAsWritten: true } : {}),
    };
  }

  /** Operators for their scope; a verifier only with `onBehalf` (the decider refuses it otherwise). */
  @Post()
  @Roles('operator', 'verifier')
  @TpsAccess({ from: SubmitResultBody, budget: 'submissions', onRefusal: countSubmission })
  @ApiDoc({
    summary: "Submit a TPS's C.Hasil numbers for one ballot (a verifier only on behalf of an operator, with a reason)",
    body: SubmitResultBody.extend({ form: CHasilForm }),
    response: SubmitResultResponse,
    alsoStatus: { 200: 'The same clientRequestId again: the first answer' },
    errors: [403, 404, 409, 429],
  })
  async submit(@CheckedBody() body: z.output<typeof SubmitResultBody>, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SubmitResultResponse> {
    try {
      const { created, body: answer } = await this.commands.execute(new SubmitResultCommand(user, req.id, body));
      reply.status(created ? 201 : 200);
      submissions.inc({ outcome: created ? 'accepted' : 'duplicate' });
      return answer;
    } catch (err) {
      countSubmission(err);
      throw err;
    }
  }

  @Get(':tpsCode/:ballot')
  @Roles('operator', 'verifier', 'official', 'admin')
  @TpsAccess({ from: 'result' })
  @ApiDoc({ summary: "A result's current state", params: ResultKey, response: ResultView, errors: [404] })
  async get(@CheckedTps() checked: Checked): Promise<ResultView> {
    const key = await this.key(checked);
    const { state } = await this.repo.load(key);
    return toResultView(key.tpsCode, key.ballot, state);
  }

  @Get(':tpsCode/:ballot/history')
  @Roles('operator', 'verifier', 'official', 'admin')
  @TpsAccess({ from: 'result' })
  @ApiDoc({ summary: "A result's audit trail: every event, who and when", params: ResultKey, response: HistoryEntry.array(), errors: [404] })
  async history(@CheckedTps() checked: Checked): Promise<HistoryEntry[]> {
    const { events } = await this.repo.load(await this.key(checked));
    return toHistory(events);
  }

  @Post(':tpsCode/:ballot/verify')
  @Roles('verifier')
  @TpsAccess({ from: 'result' })
  @HttpCode(200)
  @ApiDoc({ summary: 'Verify the numbers as submitted', params: ResultKey, body: VerifyResultBody, response: ResultView, errors: [404, 409] })
  async verify(@CheckedTps() checked: Checked, @Body() raw: unknown, @CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<ResultView> {
    const key = await this.key(checked);
    const body = parseBody(VerifyResultBody, raw);
    return this.commands.execute(new VerifyResultCommand(user, req.id, key.tpsCode, key.ballot, body.expectedVersion));
  }

  /**
   * With `operatorConfirmation` (confirmed by phone) the correction applies: 200 with the result.
   * Without it the correction is proposed to the TPS's operator: 202 `{proposalId, status: "proposed", proposal}`.
   */
  @Post(':tpsCode/:ballot/corrections')
  @Roles('verifier')
  @TpsAccess({ from: 'result' })
  @HttpCode(200)
  @ApiDoc({
    summary: "Correct the numbers with a reason: with operatorConfirmation (by phone) it applies (200, the result); without, it is proposed to the TPS's operator (202)",
    params: ResultKey, body: CorrectResultBody, response: ResultView.or(ProposeCorrectionResponse),
    alsoStatus: { 202: 'proposed to the operator: {proposalId, status: "proposed", proposal}; the numbers change when the operator confirms' },
    errors: [404, 409],
  })
  async correct(
    @CheckedTps() checked: Checked, @Body() raw: unknown, @CurrentUser() user: AuthUser,
    @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResultView | ProposeCorrectionResponse> {
    const key = await this.key(checked);
    const body = parseBody(CorrectResultBody, raw);
    const outcome = await this.commands.execute(new CorrectResultCommand(user, req.id, key.tpsCode, key.ballot, body));
    if (outcome.applied) {
      reply.status(200);
      return outcome.result;
    }
    reply.status(202);
    return { proposalId: outcome.proposal.proposalId, status: 'proposed', proposal: outcome.proposal };
  }

  /** The result the route acts on, checked by `TpsAccess`, in the active election. */
  private async key({ tpsCode, ballot }: Checked) {
    return { electionId: await this.election.activeElectionId(), tpsCode, ballot };
  }
}
