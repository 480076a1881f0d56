import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@suara/contracts';
import { ApiError } from '../http/api-error';
import { IS_PUBLIC, ROLES, type AuthUser } from './auth.decorators';
import { TokenError } from './token';
import { TokenService } from './token.service';
import { RequestLimits } from '../limits/limits.module';

export const unauthenticated = () => new ApiError(401, 'unauthenticated', 'Silakan masuk: token tidak ada, tidak sah, kedaluwarsa atau dicabut');

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(value ?? '');
  return match?.[1];
}

/** True when the user's role is one of `roles`; no roles listed means any authenticated role. */
export function hasRole(user: Pick<AuthUser, 'role'>, roles: readonly Role[] | undefined): boolean {
  return !roles || roles.length === 0 || roles.includes(user.role);
}

interface HttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  user?: AuthUser;
}

/**
 * Global guard of every HTTP route: `@Public()` routes pass; every other route needs a valid
 * Bearer token (401 `unauthenticated`, one message whatever was wrong with it) and, when the route
 * or its controller has `@Roles(...)`, one of those roles (403 `forbidden`). Sets `request.user`.
 * Socket.io handlers are not guarded here: the live gateway authenticates the handshake with
 * TokenService.verify and checks roles itself.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly limits: RequestLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthenticated();
    request.user = await this.authenticate(token);
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (!hasRole(request.user, roles)) throw new ApiError(403, 'forbidden', 'Peran Anda tidak berhak memakai fitur ini');
    if (request.method === 'GET' || request.method === 'HEAD') await this.limits.reads.consume(request.user.id);
    return true;
  }

  private async authenticate(token: string): Promise<AuthUser> {
    try {
      return await this.tokens.verify(token);
    } catch (err) {
      if (err instanceof TokenError) throw unauthenticated();
      throw err;
    }
  }
}
