import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { AdminUserView, AuditEntryView, AuditQuery, CreatedUser, CreateUserBody, ImportUsersBody, ImportUsersResult, LoginBody, LoginResponse, ResetPasswordBody, UserView } from '@suara/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { parseBody } from '../http/parse-body';
import { ApiDoc } from '../openapi/api-doc';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { AuditLog } from './audit-log';
import { CurrentUser, Public, Roles, type AuthUser } from './auth.decorators';
import { AuthService, toUserView } from './auth.service';
import { importOperators } from './operators-import';
import { bearerToken } from './auth.guard';
import { UserAdminService, type RequestOrigin } from './user-admin.service';

@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiDoc({ summary: 'Sign in: a token for `Authorization: Bearer`', body: LoginBody, response: LoginResponse, errors: [401, 429] })
  login(@Body() body: unknown, @Req() req: FastifyRequest): Promise<LoginResponse> {
    return this.auth.login(parseBody(LoginBody, body), req.ip);
  }

  /** Ends the caller's token at once, in every process (its other sessions go on). */
  @Post('auth/logout')
  @HttpCode(204)
  @ApiDoc({ summary: 'End this token at once, in every process (other sessions go on)', response: null })
  logout(@CurrentUser() user: AuthUser, @Req() req: FastifyRequest): Promise<void> {
    return this.auth.logout(user, bearerToken(req.headers.authorization)!, req.ip);
  }

  @Get('me')
  @ApiDoc({ summary: 'The signed-in user', response: UserView })
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
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
  ) {}

  @Post('users')
  @ApiDoc({ summary: 'Create a user (strong password; operators with a desa or TPS scope)', body: CreateUserBody, response: CreatedUser, errors: [409] })
  create(@Body() body: unknown, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<CreatedUser> {
    return this.admin.create(parseBody(CreateUserBody, body), origin(actor, req));
  }

  /**
   * `POST /api/admin/users/import` `{csv}`: operator accounts from a CSV file (format in
   * operators-import.ts), all or nothing. `201 {created}` with each password shown this once;
   * any wrong line: `400 invalid_import`, one issue per line, nothing created.
   */
  @Post('users/import')
  @ApiDoc({ summary: 'Operator accounts from a CSV file, all or nothing', body: ImportUsersBody, response: ImportUsersResult })
  async importUsers(@Body() body: unknown, @CurrentUser() actor: AuthUser): Promise<ImportUsersResult> {
    const { csv } = parseBody(ImportUsersBody, body);
    const result = await importOperators(this.db, csv, { actor });
    if (result.skipped.length > 0) {
      const issues = result.skipped.map((s) => ({ path: `baris ${s.line}`, message: s.reason }));
      throw new ApiError(400, 'invalid_import', `${result.skipped.length} baris ditolak; tidak ada akun yang dibuat`, issues);
    }
    return { created: result.created };
  }

  @Get('users')
  @ApiDoc({ summary: 'Every user', response: AdminUserView.array() })
  list(): Promise<AdminUserView[]> {
    return this.admin.list();
  }

  @Post('users/:id/disable')
  @HttpCode(200)
  @ApiDoc({ summary: "Disable a user: their sessions end at once", response: AdminUserView, errors: [404, 409] })
  disable(@Param('id') id: string, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.disable(id, origin(actor, req));
  }

  @Post('users/:id/enable')
  @HttpCode(200)
  @ApiDoc({ summary: 'Enable a disabled user', response: AdminUserView, errors: [404] })
  enable(@Param('id') id: string, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.enable(id, origin(actor, req));
  }

  @Post('users/:id/password')
  @HttpCode(200)
  @ApiDoc({ summary: "Reset a user's password: their sessions end at once", body: ResetPasswordBody, response: AdminUserView, errors: [404] })
  resetPassword(@Param('id') id: string, @Body() body: unknown, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.resetPassword(id, parseBody(ResetPasswordBody, body).password, origin(actor, req));
  }

  @Post('users/:id/revoke-tokens')
  @HttpCode(200)
  @ApiDoc({ summary: "End every session of a user", response: AdminUserView, errors: [404] })
  revokeTokens(@Param('id') id: string, @CurrentUser() actor: AuthUser, @Req() req: FastifyRequest): Promise<AdminUserView> {
    return this.admin.revokeTokens(id, origin(actor, req));
  }

  /** Logins and admin actions, newest first (`limit` 1–1000, default 100; `before` an entry id to page back; `action`, `actor`, `target` filters). */
  @Get('audit')
  @ApiDoc({ summary: 'Logins and admin actions, newest first', query: AuditQuery, response: AuditEntryView.array() })
  auditLog(@Query() query: unknown): Promise<AuditEntryView[]> {
    return this.audit.list(parseBody(AuditQuery, query, 'Parameter log audit tidak valid'));
  }
}

const origin = (actor: AuthUser, req: FastifyRequest): RequestOrigin => ({ actor, ip: req.ip });
