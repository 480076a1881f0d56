import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { CreateUserBody, LoginBody, ResetPasswordBody, type AdminUserView, type AuditEntryView, type LoginResponse, type UserView } from '@suara/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBody, parseParam } from '../http/parse-body';
import { AuditLog } from './audit-log';
import { CurrentUser, Public, Roles, type AuthUser } from './auth.decorators';
import { AuthService, toUserView } from './auth.service';
import { bearerToken } from './auth.guard';
import { UserAdminService, type RequestOrigin } from './user-admin.service';

const AuditLimit = z.coerce.number().int().min(1).max(1000).optional();
const AuditBefore = z.coerce.number().int().min(1).optional();

@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() body: unknown, @Req() req: FastifyRequest): Promise<LoginResponse> {
    return this.auth.login(parseBody(LoginBody, body), req.ip);
  }

  /** Ends the caller's token at once, in every process (its other sessions go on). */
  @Post('auth/logout')
  @HttpCode(204)
  logout(@CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<void> {
    return this.auth.logout(user, bearerToken(req.headers.authorization)!, req.ip);
  }

  @Get('me')
  me(@CurrentUser() user: AuthUser): UserView {
    return toUserView(user);
  }
}

@Controller('api/admin')
@Roles('admin')
export class AdminUsersController {
  constructor(
    private readonly admin: UserAdminService,
    private readonly audit: AuditLog,
  ) {}

  @Post('users')
  create(@Body() body: unknown, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<{ id: string }> {
    return this.admin.create(parseBody(CreateUserBody, body), origin(actor, req));
  }

  @Get('users')
  list(): Promise<AdminUserView[]> {
    return this.admin.list();
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  disable(@Param('id') id: string, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.disable(id, origin(actor, req));
  }

  @Post('users/:id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.enable(id, origin(actor, req));
  }

  @Post('users/:id/password')
  @HttpCode(200)
  resetPassword(@Param('id') id: string, @Body() body: unknown, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.resetPassword(id, parseBody(ResetPasswordBody, body).password, origin(actor, req));
  }

  @Post('users/:id/revoke-tokens')
  @HttpCode(200)
  revokeTokens(@Param('id') id: string, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.revokeTokens(id, origin(actor, req));
  }

  /** Logins and admin actions, newest first (`limit` 1–1000, default 100; `before` an entry id to page back). */
  @Get('audit')
  auditLog(@Query('limit') limit: unknown, @Query('before') before: unknown): Promise<AuditEntryView[]> {
    return this.audit.list({ limit: parseParam(AuditLimit, limit, 'limit') ?? 100, before: parseParam(AuditBefore, before, 'before') });
  }
}

const origin = (actor: AuthUser, req: FastifyRequest): RequestOrigin => ({ actor, ip: req.ip });
