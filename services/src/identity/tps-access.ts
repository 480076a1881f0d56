import { applyDecorators, createParamDecorator, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Ballot, parseProposalId, ProposalId, TpsCode } from '@suara/contracts';
import type { z } from 'zod';
import { ElectionService } from '../election/election.service';
import { parseBody, parseParam } from '../http/parse-body';
import { RequestLimits, type Budget } from '../limits/limits.module';
import type { AuthUser } from './auth.decorators';
import { assertTpsInScope } from './scope';

/**
 * Where a route names the TPS it acts on:
 * - `result`: the path's `:tpsCode/:ballot`; the TPS must print that ballot;
 * - `proposal`: the path's `:proposalId` (it holds the TPS and ballot);
 * - a zod schema: the body, parsed with it (400 naming each field), holds `tpsCode` and `ballot`.
 */
export type TpsSource = 'result' | 'proposal' | z.ZodType<{ tpsCode: string; ballot: Ballot }>;

export interface TpsAccessRule {
  from: TpsSource;
  /** The per-user budget each call takes once the TPS checks pass (429 with Retry-After when spent). */
  budget?: Budget;
  /** Take the budget before anything else: a dry run costs even when refused. */
  budgetFirst?: boolean;
  /** Told of each refusal (400, 403, 404, 429) before it leaves, e.g. to count it. */
  onRefusal?: (err: unknown) => void;
}

/** What the guard checked, for the handler: the parsed body, or the result's key, or the proposal id. */
export interface Checked { tpsCode: string; ballot: Ballot; proposalId?: string; body?: unknown }

const TPS_ACCESS = 'suara:tps-access';

interface CheckedRequest {
  user: AuthUser;
  params: Record<string, string>;
  body: unknown;
  checked?: Checked;
}

/**
 * The TPS a route acts on exists (404), lies in an operator's scope (403) and, with a budget,
 * the caller has calls left (429). Runs after the global AuthGuard (401, role 403).
 */
@Injectable()
export class TpsAccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly election: ElectionService,
    private readonly limits: RequestLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.get<TpsAccessRule>(TPS_ACCESS, context.getHandler());
    const request = context.switchToHttp().getRequest<CheckedRequest>();
    try {
      if (rule.budget && rule.budgetFirst) await this.limits[rule.budget].consume(request.user.id);
      request.checked = this.check(rule.from, request);
      if (rule.budget && !rule.budgetFirst) await this.limits[rule.budget].consume(request.user.id);
      return true;
    } catch (err) {
      rule.onRefusal?.(err);
      throw err;
    }
  }

  private check(from: TpsSource, { user, params, body }: CheckedRequest): Checked {
    if (from === 'result') {
      const tpsCode = parseParam(TpsCode, params.tpsCode, 'tpsCode');
      const ballot = parseParam(Ballot, params.ballot, 'ballot');
      this.inScope(user, tpsCode);
      this.election.sheet(tpsCode, ballot);
      return { tpsCode, ballot };
    }
    if (from === 'proposal') {
      const proposalId = parseParam(ProposalId, params.proposalId, 'proposalId');
      const { tpsCode, ballot } = parseProposalId(proposalId);
      this.inScope(user, tpsCode);
      return { tpsCode, ballot, proposalId };
    }
    const parsed = parseBody(from, body);
    this.inScope(user, parsed.tpsCode);
    return { tpsCode: parsed.tpsCode, ballot: parsed.ballot, body: parsed };
  }

  /** Unknown TPS → 404; outside an operator's scope → 403. */
  private inScope(user: AuthUser, tpsCode: string): void {
    this.election.requireTps(tpsCode);
    assertTpsInScope(user, tpsCode);
  }
}

/** The route acts on one TPS: see `TpsAccessGuard`. The handler reads what was checked with `@CheckedTps()`. */
export const TpsAccess = (rule: TpsAccessRule) => applyDecorators(SetMetadata(TPS_ACCESS, rule), UseGuards(TpsAccessGuard));

/** What `TpsAccessGuard` checked for this request. */
export const CheckedTps = createParamDecorator((_: unknown, ctx: ExecutionContext): Checked => ctx.switchToHttp().getRequest<CheckedRequest>().checked!);
/** The body as `TpsAccessGuard` parsed it (routes whose TPS is named in the body). */
export const CheckedBody = createParamDecorator((_: unknown, ctx: ExecutionContext): unknown => ctx.switchToHttp().getRequest<CheckedRequest>().checked?.body);
/** The proposal id `TpsAccessGuard` checked (`from: 'proposal'`). */
export const CheckedProposalId = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<CheckedRequest>().checked?.proposalId);
