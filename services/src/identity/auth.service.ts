import { Injectable } from '@nestjs/common';
import type { LoginResponse, UserView } from '@suara/contracts';
import { ApiError } from '../http/api-error';
import { AuditLog } from './audit-log';
import type { AuthUser } from './auth.decorators';
import { LoginThrottle, type LoginAttempt } from './login-throttle';
import { burnPasswordCheck, verifyPassword } from './password';
import { TokenService } from './token.service';
import { UserRepository, type UserRecord } from './user.repository';

export const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'Nama pengguna atau kata sandi salah');

export const toUserView = (u: Pick<UserRecord, 'id' | 'username' | 'role' | 'scope'>): UserView => ({
  id: u.id,
  username: u.username,
  role: u.role,
  scope: u.scope,
});

/** Login: one answer for unknown user, wrong password and disabled account; throttled; audited. */
@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditLog,
  ) {}

  async login(credentials: { username: string; password: string }, ip?: string): Promise<LoginResponse> {
    const { username, password } = credentials;
    let attempt: LoginAttempt;
    try {
      attempt = await this.throttle.begin(username, ip);
    } catch (err) {
      await this.audit.record({ actor: null, action: 'login_throttled', target: username, ip });
      throw err;
    }
    let user: UserRecord | null;
    let passwordOk: boolean;
    try {
      user = await this.users.findByUsername(username);
      // Unknown users cost the same scrypt work, so timing does not tell which usernames exist.
      passwordOk = user ? await verifyPassword(password, user.passwordHash) : await burnPasswordCheck(password);
    } catch (err) {
      await attempt.failed();
      throw err;
    }
    if (!user || !passwordOk || user.disabled) {
      await attempt.failed();
      const reason = !user ? 'unknown_user' : !passwordOk ? 'wrong_password' : 'disabled';
      await this.audit.record({ actor: null, action: 'login_failed', target: user?.id ?? username, detail: { username, reason }, ip });
      throw invalidCredentials();
    }
    await attempt.succeeded();
    const { token, expiresAt } = this.tokens.issue(user);
    await this.audit.record({ actor: { id: user.id, username: user.username }, action: 'login_ok', target: user.id, ip });
    return { token, expiresAt: expiresAt.toISOString(), user: toUserView(user) };
  }

  async logout(user: AuthUser, token: string, ip?: string): Promise<void> {
    await this.tokens.revoke(token);
    await this.audit.record({ actor: { id: user.id, username: user.username }, action: 'logout', target: user.id, ip });
  }
}
