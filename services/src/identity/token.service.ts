import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import type { AuthUser } from './auth.decorators';
import { signToken, TokenError, VerifiedTokens, type SignedToken } from './token';
import { UserRepository, type UserRecord } from './user.repository';

/**
 * The token secret: SUARA_TOKEN_SECRET when set, otherwise one generated on first use and kept in
 * `auth_secret`, so every process and every restart signs and checks with the same key.
 */
export async function loadTokenSecret(ex: SqlExecutor, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  await ex.query('INSERT INTO auth_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [randomBytes(32).toString('base64url')]);
  const { rows } = await ex.query<{ secret: string }>('SELECT secret FROM auth_secret WHERE id = 1');
  return rows[0].secret;
}

export const toAuthUser = (u: Pick<UserRecord, 'id' | 'username' | 'role' | 'scope'>): AuthUser => ({
  id: u.id,
  username: u.username,
  role: u.role,
  scope: u.scope,
});

/** Issues tokens and turns a presented token into the caller, checking the user as stored right now. */
@Injectable()
export class TokenService {
  private secret?: Promise<string>;
  private verified?: VerifiedTokens;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UserRepository,
  ) {}

  async issue(user: Pick<UserRecord, 'id' | 'role' | 'tokenVersion'>, now = new Date()): Promise<SignedToken> {
    return signToken({ sub: user.id, role: user.role, tv: user.tokenVersion }, await this.getSecret(), this.config.tokenTtlSeconds, now);
  }

  /**
   * The caller behind `token`. Throws TokenError when the token is forged, expired, revoked
   * (token_version moved on), or its user is unknown or disabled. The user comes from the repository's
   * auth cache, which forgets a user the moment it changes (see UserCache), so disabling and revoking
   * act at once; database errors propagate as they are.
   */
  async verify(token: string, now = new Date()): Promise<AuthUser> {
    const secret = await this.getSecret();
    this.verified ??= new VerifiedTokens(secret);
    const claims = this.verified.verify(token, now);
    const user = await this.users.findForAuth(claims.sub);
    if (!user || user.disabled || user.tokenVersion !== claims.tv) throw new TokenError('revoked');
    return toAuthUser(user);
  }

  private getSecret(): Promise<string> {
    this.secret ??= loadTokenSecret(this.db, this.config.tokenSecret).catch((err) => {
      this.secret = undefined; // the database may be back next time
      throw err;
    });
    return this.secret;
  }
}
