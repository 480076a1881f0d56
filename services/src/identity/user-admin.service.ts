import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isDesaCode, isTpsCode, normalizeCode, type AdminUserView, type Issue, type Role } from '@suara/contracts';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { ApiError, badRequest, notFound } from '../http/api-error';
import { AuditLog, recordAudit } from './audit-log';
import type { AuthUser } from './auth.decorators';
import { hashPassword } from './password';
import { passwordProblem } from './password-policy';
import { insertUser, unknownScopeCodes, UserRepository, type UserRecord } from './user.repository';

export const toAdminUserView = (u: UserRecord): AdminUserView => ({
  id: u.id,
  username: u.username,
  role: u.role,
  scope: u.scope,
  disabled: u.disabled,
  createdAt: new Date(u.createdAt).toISOString(),
  createdBy: u.createdBy,
});

export interface NewUserInput {
  username: string;
  password: string;
  role: Role;
  scope?: string[];
}

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  actor: AuthUser;
  ip?: string;
}

/** Admin actions on accounts; each one is recorded in the audit log with who, when and from where. */
@Injectable()
export class UserAdminService {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    private readonly users: UserRepository,
    private readonly audit: AuditLog,
  ) {}

  async create(input: NewUserInput, origin: RequestOrigin): Promise<{ id: string }> {
    assertPasswordAllowed(input.password, input.username);
    const scope = await this.checkScope(input.role, input.scope ?? []);
    const id = randomUUID();
    const passwordHash = await hashPassword(input.password);
    const inserted = await this.db.transaction(async (tx) => {
      if (!(await insertUser(tx, { id, username: input.username, passwordHash, role: input.role, scope, createdBy: origin.actor.id }))) return false;
      await recordAudit(tx, {
        actor: origin.actor,
        action: 'user_created',
        target: id,
        detail: { username: input.username, role: input.role, scope },
        ip: origin.ip,
      });
      return true;
    });
    if (!inserted) throw new ApiError(409, 'username_taken', `Nama pengguna "${input.username}" sudah dipakai`);
    return { id };
  }

  async list(): Promise<AdminUserView[]> {
    return (await this.users.list()).map(toAdminUserView);
  }

  async disable(id: string, origin: RequestOrigin): Promise<AdminUserView> {
    if (id === origin.actor.id) throw new ApiError(409, 'cannot_disable_self', 'Anda tidak dapat menonaktifkan akun Anda sendiri');
    return this.change(await this.users.setDisabled(id, true), 'user_disabled', origin);
  }

  async enable(id: string, origin: RequestOrigin): Promise<AdminUserView> {
    return this.change(await this.users.setDisabled(id, false), 'user_enabled', origin);
  }

  /** Sets a new password and revokes every token of the user. */
  async resetPassword(id: string, password: string, origin: RequestOrigin): Promise<AdminUserView> {
    const user = await this.users.findById(id);
    if (!user) throw notFound('Pengguna');
    assertPasswordAllowed(password, user.username);
    return this.change(await this.users.setPassword(id, await hashPassword(password)), 'password_reset', origin);
  }

  async revokeTokens(id: string, origin: RequestOrigin): Promise<AdminUserView> {
    return this.change(await this.users.revokeTokens(id), 'tokens_revoked', origin);
  }

  private async change(user: UserRecord | null, action: string, origin: RequestOrigin): Promise<AdminUserView> {
    if (!user) throw notFound('Pengguna');
    await this.audit.record({ actor: origin.actor, action, target: user.id, detail: { username: user.username }, ip: origin.ip });
    return toAdminUserView(user);
  }

  /** Normalised, de-duplicated scope; operators need at least one known desa or TPS, others none. */
  private async checkScope(role: Role, raw: string[]): Promise<string[]> {
    const scope = [...new Set(raw.map(normalizeCode))];
    if (role !== 'operator') {
      if (scope.length > 0) throw badRequest([{ path: 'scope', message: 'wilayah tugas hanya untuk operator' }]);
      return [];
    }
    if (scope.length === 0) throw badRequest([{ path: 'scope', message: 'operator wajib punya wilayah tugas (kode desa atau TPS)' }]);
    const issues: Issue[] = [];
    const wrongLength = scope.filter((c) => !isDesaCode(c) && !isTpsCode(c));
    const unknown = await unknownScopeCodes(this.db, scope.filter((c) => !wrongLength.includes(c)));
    for (const code of wrongLength) issues.push({ path: scopePath(raw, code), message: `${code}: bukan kode desa (10 digit) atau TPS (13 digit)` });
    for (const code of unknown) issues.push({ path: scopePath(raw, code), message: `${code}: kode desa/TPS tidak dikenal` });
    if (issues.length > 0) {
      throw badRequest(issues, `Wilayah tugas tidak dikenal: ${[...wrongLength, ...unknown].join(', ')}`);
    }
    return scope;
  }
}

/** 400 naming `password` when the policy refuses it (too short, common, guessable). */
function assertPasswordAllowed(password: string, username: string): void {
  const problem = passwordProblem(password, { username });
  if (problem) throw badRequest([{ path: 'password', message: problem }], `Kata sandi ditolak: ${problem}`);
}

const scopePath = (raw: string[], code: string) => `scope.${raw.findIndex((r) => normalizeCode(r) === code)}`;
