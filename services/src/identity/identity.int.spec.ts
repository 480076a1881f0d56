import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import { createPostgresTestDatabase, describeIfPostgres, openTestPglite } from '../db/test-support/test-database';
import { electionMigrations } from '../election/election.migrations';
import { ApiError } from '../http/api-error';
import { AuditLog } from './audit-log';
import type { AuthUser } from './auth.decorators';
import { AuthService } from './auth.service';
import { ensureFirstAdmin, type BootstrapLog } from './identity.bootstrap';
import { identityMigrations } from './identity.migrations';
import { LoginThrottle } from './login-throttle';
import { clearIdentity, DESA_A, DESA_B, seedRegions, TPS_A1 } from './test-support/identity-fixtures';
import { TokenError } from './token';
import { TokenService } from './token.service';
import { loadTokenSecret } from './token-secret';
import { UserAdminService } from './user-admin.service';
import { UserRepository } from './user.repository';

const migrations = [...electionMigrations, ...identityMigrations];
const config = { tokenTtlSeconds: 3600, tokenMaxLifetimeSeconds: 86_400, tokenSecret: 'identity-int-spec-secret-0123456789abcdef', dataDir: '/nonexistent' } as AppConfig;

async function apiErrorOf(p: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown>; headers?: Record<string, string> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return { status: e.getStatus(), body: e.getResponse() as Record<string, unknown>, headers: e.headers };
    throw e;
  }
  throw new Error('expected an ApiError');
}

async function tokenFailure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TokenError) return e.reason;
    throw e;
  }
  return 'accepted';
}

function capture(): BootstrapLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (m) => lines.push(m), warn: (m) => lines.push(m) };
}

function identitySuite(open: () => Promise<{ db: SqlDatabase; close(): Promise<void> }>) {
  let db: SqlDatabase;
  let close: () => Promise<void>;
  let users: UserRepository;
  let audit: AuditLog;
  let tokens: TokenService;
  let auth: AuthService;
  let admin: UserAdminService;
  let root: AuthUser;

  beforeAll(async () => {
    ({ db, close } = await open());
    await seedRegions(db);
  });
  afterAll(() => close());

  beforeEach(async () => {
    await clearIdentity(db);
    users = new UserRepository(db);
    audit = new AuditLog(db);
    tokens = new TokenService(config, users);
    auth = new AuthService(users, tokens, new LoginThrottle(), audit);
    admin = new UserAdminService(db, users, audit);
    const first = await ensureFirstAdmin(db, { adminUser: 'root', adminPassword: 'root-password-1' }, capture());
    if (!first.created) throw new Error('no first admin');
    root = { id: first.id, username: 'root', role: 'admin', scope: [] };
  });

  const origin = () => ({ actor: root, ip: '203.0.113.5' });

  describe('first admin', () => {
    it('is created once from SUARA_ADMIN_USER / SUARA_ADMIN_PASSWORD and can log in', async () => {
      const again = await ensureFirstAdmin(db, { adminUser: 'root', adminPassword: 'other' }, capture());
      expect(again).toEqual({ created: false });
      const login = await auth.login({ username: 'root', password: 'root-password-1' });
      expect(login.user).toMatchObject({ username: 'root', role: 'admin', scope: [] });
    });

    it('without a password: user "admin" with a random password, printed once', async () => {
      await clearIdentity(db);
      const log = capture();
      const results = await Promise.all([1, 2, 3].map(() => ensureFirstAdmin(db, {}, log)));
      const created = results.filter((r) => r.created);
      expect(created).toHaveLength(1);
      const pw = (created[0] as { generatedPassword: string }).generatedPassword;
      expect(pw).toHaveLength(20);
      expect(log.lines.filter((l) => l.includes(pw))).toHaveLength(1);
      expect(log.lines.join('\n')).toMatch(/username: admin/);
      expect((await auth.login({ username: 'admin', password: pw })).user.role).toBe('admin');
      expect(await ensureFirstAdmin(db, {}, log)).toEqual({ created: false });
      expect(log.lines.filter((l) => l.includes('password:'))).toHaveLength(1);
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin'");
      expect(rows[0].n).toBe(1);
    });
  });

  describe('tokens', () => {
    it('the secret comes from the environment or a key file, never from the database', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'suara-secret-'));
      try {
        const warnings: string[] = [];
        const a = loadTokenSecret({ dataDir: dir, shared: true }, (m) => warnings.push(m));
        expect(a.length).toBeGreaterThanOrEqual(40);
        expect(statSync(join(dir, 'token-secret')).mode & 0o777).toBe(0o600);
        expect(warnings.join()).toMatch(/SUARA_TOKEN_SECRET/);
        expect(loadTokenSecret({ dataDir: dir, shared: false }, () => undefined)).toBe(a);
        expect(loadTokenSecret({ dataDir: dir, secretFile: join(dir, 'token-secret'), shared: false }, () => undefined)).toBe(readFileSync(join(dir, 'token-secret'), 'utf8').trim());
        expect(loadTokenSecret({ dataDir: dir, secret: 'configured-secret-0123456789abcdefghij', shared: false }, () => undefined)).toBe('configured-secret-0123456789abcdefghij');
        expect(() => loadTokenSecret({ dataDir: dir, secret: 'short', shared: false }, () => undefined)).toThrow(/at least 32 characters/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const { rows } = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'auth_secret'`);
      expect(rows).toHaveLength(0);
      // Another process with the same secret accepts this one's tokens.
      const { token } = await auth.login({ username: 'root', password: 'root-password-1' });
      const other = new TokenService(config, new UserRepository(db));
      expect((await other.verify(token)).username).toBe('root');
    });

    it('logout ends that token in every process; the user\'s other sessions go on', async () => {
      await admin.create({ username: 'op.out', password: 'op-password-1', role: 'operator', scope: [DESA_A] }, origin());
      const phone = (await auth.login({ username: 'op.out', password: 'op-password-1' })).token;
      const laptop = (await auth.login({ username: 'op.out', password: 'op-password-1' })).token;
      const otherUsers = new UserRepository(db);
      await otherUsers.onModuleInit();
      try {
        const other = new TokenService(config, otherUsers);
        expect(await tokenFailure(other.verify(phone))).toBe('accepted'); // cached there
        await tokens.revoke(phone);
        expect(await tokenFailure(tokens.verify(phone))).toBe('revoked');
        const deadline = Date.now() + 2_000;
        let outcome = await tokenFailure(other.verify(phone));
        while (outcome === 'accepted' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          outcome = await tokenFailure(other.verify(phone));
        }
        expect(outcome).toBe('revoked');
        expect(await tokenFailure(other.verify(laptop))).toBe('accepted');
      } finally {
        await otherUsers.onModuleDestroy();
      }
    });

    it('verify returns the user as stored now', async () => {
      const { id } = await admin.create({ username: 'op.a', password: 'op-password-1', role: 'operator', scope: [DESA_A] }, origin());
      const { token } = await auth.login({ username: 'op.a', password: 'op-password-1' });
      expect(await tokens.verify(token)).toEqual({ id, username: 'op.a', role: 'operator', scope: [DESA_A] });
    });

    it('disabling refuses the user’s tokens at once, and enabling does not bring them back', async () => {
      const { id } = await admin.create({ username: 'op.a', password: 'op-password-1', role: 'operator', scope: [DESA_A] }, origin());
      const { token } = await auth.login({ username: 'op.a', password: 'op-password-1' });
      await admin.disable(id, origin());
      expect(await tokenFailure(tokens.verify(token))).toBe('revoked');
      expect((await apiErrorOf(auth.login({ username: 'op.a', password: 'op-password-1' }))).status).toBe(401);
      await admin.enable(id, origin());
      expect(await tokenFailure(tokens.verify(token))).toBe('revoked');
      const fresh = await auth.login({ username: 'op.a', password: 'op-password-1' });
      expect(await tokenFailure(tokens.verify(fresh.token))).toBe('accepted');
    });

    it('another process forgets a cached user the moment its row changes, even by hand', async () => {
      const { id } = await admin.create({ username: 'op.b', password: 'op-password-1', role: 'operator', scope: [DESA_A] }, origin());
      const { token } = await auth.login({ username: 'op.b', password: 'op-password-1' });
      const otherUsers = new UserRepository(db);
      await otherUsers.onModuleInit();
      try {
        const other = new TokenService(config, otherUsers);
        expect(await tokenFailure(other.verify(token))).toBe('accepted'); // now cached there
        await db.query('UPDATE users SET disabled = true WHERE id = $1', [id]);
        // Well inside the cache's 5 s lifetime: only the trigger's notification can make it forget.
        const deadline = Date.now() + 2_000;
        let outcome = await tokenFailure(other.verify(token));
        while (outcome === 'accepted' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 20));
          outcome = await tokenFailure(other.verify(token));
        }
        expect(outcome).toBe('revoked');
      } finally {
        await otherUsers.onModuleDestroy();
      }
    });

    it('a password reset and a revoke refuse older tokens; the new password works', async () => {
      const { id } = await admin.create({ username: 'ver', password: 'ver-password-1', role: 'verifier' }, origin());
      const t1 = (await auth.login({ username: 'ver', password: 'ver-password-1' })).token;
      await admin.resetPassword(id, 'ver-password-2', origin());
      expect(await tokenFailure(tokens.verify(t1))).toBe('revoked');
      expect((await apiErrorOf(auth.login({ username: 'ver', password: 'ver-password-1' }))).status).toBe(401);
      const t2 = (await auth.login({ username: 'ver', password: 'ver-password-2' })).token;
      expect(await tokenFailure(tokens.verify(t2))).toBe('accepted');
      await admin.revokeTokens(id, origin());
      expect(await tokenFailure(tokens.verify(t2))).toBe('revoked');
    });

    it('an expired token or one of a deleted user is refused', async () => {
      const { token } = await auth.login({ username: 'root', password: 'root-password-1' });
      expect(await tokenFailure(tokens.verify(token, new Date(Date.now() + 3601_000)))).toBe('expired');
      await db.query('DELETE FROM users WHERE id = $1', [root.id]);
      expect(await tokenFailure(tokens.verify(token))).toBe('revoked');
    });
  });

  describe('login', () => {
    it('returns a token, its expiry and the user; usernames are case-insensitive', async () => {
      const res = await auth.login({ username: 'ROOT', password: 'root-password-1' }, '198.51.100.1');
      expect(res.user).toEqual({ id: root.id, username: 'root', role: 'admin', scope: [] });
      expect(new Date(res.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 3500_000);
      const [entry] = await audit.list({ limit: 1 });
      expect(entry).toMatchObject({ action: 'login_ok', actorId: root.id, actorUsername: 'root', ip: '198.51.100.1' });
    });

    it('one answer for unknown user, wrong password and disabled account', async () => {
      const { id } = await admin.create({ username: 'off', password: 'Uji-Sandi-off-2024', role: 'official' }, origin());
      await admin.disable(id, origin());
      const answers = await Promise.all([
        apiErrorOf(auth.login({ username: 'nobody', password: 'whatever-1' })),
        apiErrorOf(auth.login({ username: 'root', password: 'wrong-password' })),
        apiErrorOf(auth.login({ username: 'off', password: 'Uji-Sandi-off-2024' })),
      ]);
      for (const a of answers) {
        expect(a.status).toBe(401);
        expect(a.body).toEqual(answers[0].body);
      }
      expect(answers[0].body.error).toBe('invalid_credentials');
      const failures = (await audit.list({ limit: 10 })).filter((e) => e.action === 'login_failed');
      expect(failures.map((f) => f.detail.reason).sort()).toEqual(['disabled', 'unknown_user', 'wrong_password']);
    });

    it('after 5 failures from one address, that address waits a growing delay (429, Retry-After), audited; another address does not', async () => {
      for (let i = 0; i < 6; i++) await apiErrorOf(auth.login({ username: 'root', password: `guess-${i}` }, '10.0.0.1'));
      const delayed = await apiErrorOf(auth.login({ username: 'root', password: 'root-password-1' }, '10.0.0.1'));
      expect(delayed.status).toBe(429);
      expect(delayed.body.error).toBe('too_many_attempts');
      expect(Number(delayed.headers?.['Retry-After'])).toBeGreaterThanOrEqual(1);
      expect(Number(delayed.headers?.['Retry-After'])).toBeLessThanOrEqual(2);
      expect((await audit.list({ limit: 1 }))[0]).toMatchObject({ action: 'login_throttled', target: 'root' });
      expect((await auth.login({ username: 'root', password: 'root-password-1' }, '10.0.0.99')).user.username).toBe('root');
    });

    it('a parallel burst of guesses gets the 5 free checks and one more', async () => {
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) => apiErrorOf(auth.login({ username: 'root', password: `burst-${i}` }, '10.1.1.1'))),
      );
      expect(answers.filter((a) => a.status === 401)).toHaveLength(6);
      expect(answers.filter((a) => a.status === 429)).toHaveLength(6);
    });
  });

  describe('user administration', () => {
    it('creates an operator with normalised, de-duplicated desa and TPS codes', async () => {
      const { id } = await admin.create(
        { username: 'op.simatahari', password: 'op-password-1', role: 'operator', scope: ['12.22.01.1001', DESA_A, TPS_A1] },
        origin(),
      );
      const listed = (await admin.list()).find((u) => u.id === id)!;
      expect(listed).toMatchObject({ username: 'op.simatahari', role: 'operator', scope: [DESA_A, TPS_A1], disabled: false, createdBy: root.id });
      expect(JSON.stringify(await admin.list())).not.toMatch(/scrypt|passwordHash/);
      const [entry] = await audit.list({ limit: 1 });
      expect(entry).toMatchObject({ action: 'user_created', actorUsername: 'root', target: id, ip: '203.0.113.5' });
      expect(entry.detail).toMatchObject({ username: 'op.simatahari', role: 'operator' });
    });

    it('refuses an operator scope with unknown or malformed codes, naming them, and stores nothing', async () => {
      const err = await apiErrorOf(
        admin.create({ username: 'op.x', password: 'op-password-1', role: 'operator', scope: [DESA_B, '1222019999', '122201'] }, origin()),
      );
      expect(err.status).toBe(400);
      expect(err.body.error).toBe('invalid_input');
      expect(err.body.message).toContain('1222019999');
      expect(err.body.issues).toEqual([
        { path: 'scope.2', message: expect.stringContaining('122201') },
        { path: 'scope.1', message: expect.stringContaining('1222019999') },
      ]);
      expect(await users.findByUsername('op.x')).toBeNull();
    });

    it('an operator needs a scope; other roles take none', async () => {
      expect((await apiErrorOf(admin.create({ username: 'op.y', password: 'op-password-1', role: 'operator' }, origin()))).status).toBe(400);
      expect((await apiErrorOf(admin.create({ username: 'op.y', password: 'op-password-1', role: 'operator', scope: [] }, origin()))).status).toBe(400);
      expect((await apiErrorOf(admin.create({ username: 'ver.y', password: 'ver-password', role: 'verifier', scope: [DESA_A] }, origin()))).status).toBe(400);
    });

    it('409 username_taken, case-insensitively', async () => {
      await admin.create({ username: 'Siti', password: 'Uji-Sandi-siti-2024', role: 'official' }, origin());
      const err = await apiErrorOf(admin.create({ username: 'siti', password: 'Uji-Sandi-siti-2024', role: 'verifier' }, origin()));
      expect(err.status).toBe(409);
      expect(err.body.error).toBe('username_taken');
    });

    it('404 for an unknown user; an admin cannot disable itself', async () => {
      expect((await apiErrorOf(admin.disable('00000000-0000-0000-0000-000000000000', origin()))).status).toBe(404);
      expect((await apiErrorOf(admin.resetPassword('nope', 'new-password-1', origin()))).status).toBe(404);
      const self = await apiErrorOf(admin.disable(root.id, origin()));
      expect(self.status).toBe(409);
    });

    it('the audit log lists admin actions newest first, with who and when, and pages back', async () => {
      const { id } = await admin.create({ username: 'op.b', password: 'op-password-1', role: 'operator', scope: [DESA_B] }, origin());
      await admin.disable(id, origin());
      await admin.enable(id, origin());
      await admin.resetPassword(id, 'op-password-2', origin());
      await admin.revokeTokens(id, origin());
      const entries = await audit.list({ limit: 5 });
      expect(entries.map((e) => e.action)).toEqual(['tokens_revoked', 'password_reset', 'user_enabled', 'user_disabled', 'user_created']);
      for (const e of entries) {
        expect(e).toMatchObject({ actorId: root.id, actorUsername: 'root', target: id });
        expect(Date.parse(e.at)).toBeGreaterThan(Date.now() - 60_000);
      }
      const older = await audit.list({ limit: 10, before: entries[4].id });
      expect(older.map((e) => e.action)).toEqual(['user_created']); // the first admin
    });
  });
}

describe('identity on PGlite', () => {
  identitySuite(async () => {
    const db = await openTestPglite({ migrations });
    return { db, close: () => db.close() };
  });
});

describeIfPostgres('identity on PostgreSQL', () => {
  identitySuite(async () => {
    const t = await createPostgresTestDatabase({ migrations });
    return { db: t.db, close: () => t.drop() };
  });
});

