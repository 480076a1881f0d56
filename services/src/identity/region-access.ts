import { applyDecorators, createParamDecorator, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RegionCode, TpsCode } from '@suara/contracts';
import { forbidden } from '../http/api-error';
import { parseParam } from '../http/parse-body';
import type { AuthUser } from './auth.decorators';
import { canAccessRegion, canAccessTps } from './scope';

const REGION_ACCESS = 'suara:region-access';

/** The path parameter that names the region (`code`) or TPS (`tpsCode`) a read route shows. */
type RegionParam = 'code' | 'tpsCode';

interface CheckedRequest {
  user: AuthUser;
  params: Record<string, string>;
  checkedCode?: string;
}

/**
 * Master-data reads of one region or TPS: an operator sees only their scope (403 before any 404,
 * so an operator learns nothing of codes outside it). Runs after the global AuthGuard.
 */
@Injectable()
export class RegionAccessGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const param = this.reflector.get<RegionParam>(REGION_ACCESS, context.getHandler());
    const request = context.switchToHttp().getRequest<CheckedRequest>();
    if (param === 'tpsCode') {
      const tpsCode = parseParam(TpsCode, request.params.tpsCode, 'tpsCode');
      if (!canAccessTps(request.user, tpsCode)) throw forbidden('TPS ini di luar cakupan Anda');
      request.checkedCode = tpsCode;
    } else {
      const code = parseParam(RegionCode, request.params.code, 'code');
      if (!canAccessRegion(request.user, code)) throw forbidden('Wilayah ini di luar cakupan Anda');
      request.checkedCode = code;
    }
    return true;
  }
}

/** The route shows the region or TPS named by `param`: see `RegionAccessGuard`; the handler reads it with `@CheckedCode()`. */
export const RegionAccess = (param: RegionParam) => applyDecorators(SetMetadata(REGION_ACCESS, param), UseGuards(RegionAccessGuard));

/** The normalised code `RegionAccessGuard` checked. */
export const CheckedCode = createParamDecorator((_: unknown, ctx: ExecutionContext): string | undefined => ctx.switchToHttp().getRequest<CheckedRequest>().checkedCode);
