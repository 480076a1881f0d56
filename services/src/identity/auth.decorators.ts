import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '@suara/contracts';

/** The authenticated caller, set on the request by the global AuthGuard. */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  /** Operator scope: desa codes (10 digits) or TPS codes (13 digits). Empty for other roles. */
  scope: string[];
}

export const IS_PUBLIC = 'suara:public';
export const ROLES = 'suara:roles';

/** A route anyone may call without a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** The roles allowed on a route or controller; without it, any authenticated role is allowed. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);
/** Injects the authenticated AuthUser. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest().user);
