import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditLog } from './audit-log';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { IdentityBootstrap } from './identity.bootstrap';
import { AdminUsersController, AuthController } from './identity.controller';
import { TokenService } from './token.service';
import { UserAdminService } from './user-admin.service';
import { UserRepository } from './user.repository';

/**
 * Users, login, tokens and the global AuthGuard. Global, so every context can inject TokenService
 * (socket handshake) and AuditLog (record admin actions) without importing it. Login throttling comes
 * from the global LimitsModule.
 * Needs SQL_DATABASE and APP_CONFIG from the database module.
 */
@Global()
@Module({
  controllers: [AuthController, AdminUsersController],
  providers: [
    UserRepository,
    AuditLog,
    TokenService,
    AuthService,
    UserAdminService,
    IdentityBootstrap,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [TokenService, AuditLog, UserRepository],
})
export class IdentityModule {}
