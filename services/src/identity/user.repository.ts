import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Role } from '@suara/contracts';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { UserCache } from './user-cache';
import { isDesaCode, isTpsCode } from '@suara/contracts';

/** NOTIFY channel of the users table's trigger (migration 302; payload: the user id). */
const USERS_CHANNEL = 'users_changed';

/** A stored user. `passwordHash` never leaves the identity context. */
export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  scope: string[];
  disabled: boolean;
  tokenVersion: number;
  createdAt: Date;
  createdBy: string | null;
}

/** What authenticating a request needs of a user: the cache keeps no password hash, but the ids of its logged-out tokens. */
export type AuthRecord = Omit<UserRecord, 'passwordHash'> & { revokedTokens: ReadonlySet<string> };

export interface NewUser {
  id: string;
  username: string;
  passwordHash: string;
  role: Role;
  scope: string[];
  createdBy: string | null;
}

const COLUMNS = `id, username, password_hash AS "passwordHash", role, scope, disabled,
  token_version AS "tokenVersion", created_at AS "createdAt", created_by AS "createdBy"`;

/** Inserts a user unless the username (case-insensitive) is taken; true when inserted. */
export async function insertUser(ex: SqlExecutor, user: NewUser): Promise<boolean> {
  const { rowCount } = await ex.query(
    `INSERT INTO users (id, username, password_hash, role, scope, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6)
     ON CONFLICT (lower(username)) DO NOTHING`,
    [user.id, user.username, user.passwordHash, user.role, JSON.stringify(user.scope), user.createdBy],
  );
  return rowCount === 1;
}

/** Which of `usernames` exist already, lower-cased. */
export async function existingUsernames(ex: SqlExecutor, usernames: string[]): Promise<Set<string>> {
  if (usernames.length === 0) return new Set();
  const { rows } = await ex.query<{ u: string }>('SELECT lower(username) AS u FROM users WHERE lower(username) = ANY($1::text[])', [
    usernames.map((u) => u.toLowerCase()),
  ]);
  return new Set(rows.map((r) => r.u));
}

export async function adminExists(ex: SqlExecutor): Promise<boolean> {
  const { rows } = await ex.query("SELECT 1 FROM users WHERE role = 'admin' LIMIT 1");
  return rows.length > 0;
}

/**
 * Which of `codes` (normalised) are not a known desa/kelurahan (10 digits, table `regions`) or TPS
 * (13 digits, table `tps`). Any other length is unknown.
 */
export async function unknownScopeCodes(ex: SqlExecutor, codes: string[]): Promise<string[]> {
  const desa = codes.filter(isDesaCode);
  const tps = codes.filter(isTpsCode);
  const known = new Set<string>();
  if (desa.length > 0) {
    const { rows } = await ex.query<{ code: string }>('SELECT code FROM regions WHERE code = ANY($1::text[])', [desa]);
    rows.forEach((r) => known.add(r.code));
  }
  if (tps.length > 0) {
    const { rows } = await ex.query<{ code: string }>('SELECT code FROM tps WHERE code = ANY($1::text[])', [tps]);
    rows.forEach((r) => known.add(r.code));
  }
  return codes.filter((c) => !known.has(c));
}

/** Users in the database. Every change to the credentials bumps token_version, revoking old tokens. */
@Injectable()
export class UserRepository implements OnModuleInit, OnModuleDestroy {
  private readonly authCache = new UserCache<AuthRecord>(async (id) => {
    const [user, revoked] = await Promise.all([
      this.findById(id),
      this.db.query<{ jti: string }>('SELECT jti FROM revoked_tokens WHERE user_id = $1 AND expires_at > now()', [id]),
    ]);
    if (!user) return null;
    const { passwordHash: _notKept, ...rest } = user;
    return { ...rest, revokedTokens: new Set(revoked.rows.map((r) => r.jti)) };
  });
  private unlisten?: () => Promise<void>;
  private readonly changeListeners = new Set<(id: string) => void>();

  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  /** Listens for changes made by other processes (or by hand) to forget cached users. */
  async onModuleInit(): Promise<void> {
    this.unlisten = await this.db.listen(USERS_CHANNEL, (id) => this.changed(id));
  }

  /**
   * Calls `listener` with the id of every user that changed (disabled, password, tokens revoked,
   * logged out), here or in another process; returns the unsubscribe function.
   */
  onUserChanged(listener: (id: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  async onModuleDestroy(): Promise<void> {
    await this.unlisten?.().catch(() => undefined);
  }

  /** The user behind a request's token, read at most every few seconds unless it changes (UserCache). */
  findForAuth(id: string): Promise<AuthRecord | null> {
    return this.authCache.get(id);
  }

  insert(user: NewUser, ex: SqlExecutor = this.db): Promise<boolean> {
    return insertUser(ex, user);
  }

  async findById(id: string): Promise<UserRecord | null> {
    const { rows } = await this.db.query<UserRecord>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    const { rows } = await this.db.query<UserRecord>(`SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`, [username]);
    return rows[0] ?? null;
  }

  async list(): Promise<UserRecord[]> {
    const { rows } = await this.db.query<UserRecord>(`SELECT ${COLUMNS} FROM users ORDER BY created_at, username`);
    return rows;
  }

  /** Disabling also revokes the tokens, so enabling again does not bring old sessions back. */
  setDisabled(id: string, disabled: boolean): Promise<UserRecord | null> {
    return this.update(id, disabled ? 'disabled = true, token_version = token_version + 1' : 'disabled = false', []);
  }

  setPassword(id: string, passwordHash: string): Promise<UserRecord | null> {
    return this.update(id, 'password_hash = $2, token_version = token_version + 1', [passwordHash]);
  }

  revokeTokens(id: string): Promise<UserRecord | null> {
    return this.update(id, 'token_version = token_version + 1', []);
  }

  /** Ends one token (logout) until it would have expired; every process learns it by the trigger's notification. */
  async revokeToken(userId: string, jti: string, expiresAt: Date): Promise<void> {
    await this.db.query(
      `WITH gone AS (DELETE FROM revoked_tokens WHERE expires_at < now())
       INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING`,
      [jti, userId, expiresAt],
    );
    this.changed(userId);
  }

  adminExists(): Promise<boolean> {
    return adminExists(this.db);
  }

  unknownScopeCodes(codes: string[]): Promise<string[]> {
    return unknownScopeCodes(this.db, codes);
  }

  private async update(id: string, set: string, params: unknown[]): Promise<UserRecord | null> {
    const { rows } = await this.db.query<UserRecord>(`UPDATE users SET ${set} WHERE id = $1 RETURNING ${COLUMNS}`, [id, ...params]);
    // This process acts on the change at once; others when the trigger's notification arrives.
    this.changed(id);
    return rows[0] ?? null;
  }

  private changed(id: string): void {
    this.authCache.forget(id);
    for (const listener of this.changeListeners) listener(id);
  }
}
