import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { AuthUser } from './auth.decorators';
import { signToken, TokenError, VerifiedTokens, type SignedToken, type TokenClaims } from './token';
import { loadTokenSecret } from './token-secret';
import { UserRepository, type UserRecord } from './user.repository';

export const toAuthUser = (u: Pick<UserRecord, 'id' | 'username' | 'role' | 'scope'>): AuthUser => ({
  id: u.id,
  username: u.username,
  role: u.role,
  scope: u.scope,
});

/** A verified caller and the token's claims (when it expires, which token it is). */
export interface Session {
  user: AuthUser;
  claims: TokenClaims;
}

/** Issues tokens and turns a presented token into the caller, checking the user as stored right now. */
@Injectable()
export class TokenService implements OnModuleInit {
  private readonly log = new Logger('tokens');
  private secret?: string;
  private verified?: VerifiedTokens;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
  ) {}

  /** Reads (or creates) the secret at start, so a wrong setting stops the start rather than the first login. */
  onModuleInit(): void {
    this.getSecret();
  }

  issue(user: Pick<UserRecord, 'id' | 'role' | 'tokenVersion'>, now = new Date()): SignedToken {
    return signToken({ sub: user.id, role: user.role, tv: user.tokenVersion }, this.getSecret(), this.config.tokenTtlSeconds, now);
  }

  /**
   * The caller behind `token`. Throws TokenError when the token is forged, expired, past the
   * maximum lifetime, revoked (token_version moved on, or logged out), or its user is unknown or
   * disabled. The user comes from the repository's auth cache, which forgets a user the moment it
   * changes (see UserCache), so disabling, revoking and logging out act at once; database errors
   * propagate as they are.
   */
  async verify(token: string, now = new Date()): Promise<AuthUser> {
    return (await this.session(token, now)).user;
  }

  async session(token: string, now = new Date()): Promise<Session> {
    this.verified ??= new VerifiedTokens(this.getSecret(), 100_000, { maxLifetimeSeconds: this.config.tokenMaxLifetimeSeconds });
    const claims = this.verified.verify(token, now);
    const user = await this.users.findForAuth(claims.sub);
    if (!user || user.disabled || user.tokenVersion !== claims.tv || user.revokedTokens.has(claims.jti)) throw new TokenError('revoked');
    return { user: toAuthUser(user), claims };
  }

  /** Ends this token everywhere (`POST /api/auth/logout`); the user's other sessions go on. */
  async revoke(token: string): Promise<void> {
    const { claims } = await this.session(token);
    await this.users.revokeToken(claims.sub, claims.jti, new Date(claims.exp * 1000));
  }

  private getSecret(): string {
    this.secret ??= loadTokenSecret(
      { secret: this.config.tokenSecret, secretFile: this.config.tokenSecretFile, dataDir: this.config.dataDir, shared: this.config.databaseUrl !== undefined },
      (m) => this.log.warn(m),
    );
    return this.secret;
  }
}
