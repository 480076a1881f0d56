import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { recordAudit } from './audit-log';
import { generatePassword, hashPassword } from './password';
import { passwordProblem, warmPasswordPolicy } from './password-policy';
import { adminExists, insertUser } from './user.repository';

export interface BootstrapLog {
  log(message: string): void;
  warn(message: string): void;
}

export type FirstAdminResult =
  | { created: false }
  | { created: true; id: string; username: string; /** Only when generated: the one time it exists in clear. */ generatedPassword?: string };

// One lock id for "create the first admin", so concurrent starters do not both generate a password.
const FIRST_ADMIN_LOCK = 7251301;

/**
 * Creates the first admin when there is none: SUARA_ADMIN_USER / SUARA_ADMIN_PASSWORD, else user
 * "admin" with a random password printed once. Idempotent across restarts and concurrent
 * processes (advisory lock, unique username, ON CONFLICT DO NOTHING).
 */
export async function ensureFirstAdmin(
  db: SqlDatabase,
  config: Pick<AppConfig, 'adminUser' | 'adminPassword'>,
  log: BootstrapLog = console,
): Promise<FirstAdminResult> {
  if (await adminExists(db)) return { created: false };
  const username = config.adminUser ?? 'admin';
  const weak = config.adminPassword ? passwordProblem(config.adminPassword, { username }) : undefined;
  if (weak) throw new Error(`SUARA_ADMIN_PASSWORD refused: ${weak}. Choose a longer, uncommon password (the first admin is created with it).`);
  const generatedPassword = config.adminPassword ? undefined : generatePassword(20);
  const password = config.adminPassword ?? generatedPassword!;
  const passwordHash = await hashPassword(password);
  const id = randomUUID();
  const result = await db.transaction(async (tx): Promise<'exists' | 'created' | 'name_taken'> => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [FIRST_ADMIN_LOCK]);
    if (await adminExists(tx)) return 'exists';
    if (!(await insertUser(tx, { id, username, passwordHash, role: 'admin', scope: [], createdBy: null }))) return 'name_taken';
    await recordAudit(tx, { actor: null, action: 'user_created', target: id, detail: { username, role: 'admin', scope: [], via: 'first_admin' } });
    return 'created';
  });
  if (result === 'exists') return { created: false };
  if (result === 'name_taken') {
    log.warn(`No admin exists, but the username "${username}" is taken by another role: set SUARA_ADMIN_USER to a free name.`);
    return { created: false };
  }
  if (generatedPassword) {
    log.warn(
      [
        '',
        '==================================================================',
        '  suara: first admin account created (shown ONCE, write it down)',
        `    username: ${username}`,
        `    password: ${generatedPassword}`,
        '  Set SUARA_ADMIN_USER / SUARA_ADMIN_PASSWORD to choose your own.',
        '==================================================================',
        '',
      ].join('\n'),
    );
  } else {
    log.log(`First admin account "${username}" created from SUARA_ADMIN_USER / SUARA_ADMIN_PASSWORD.`);
  }
  return { created: true, id, username, generatedPassword };
}

/** Runs ensureFirstAdmin when the application starts (after the database module has migrated). */
@Injectable()
export class IdentityBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureFirstAdmin(this.db, this.config, console);
    // The estimator indexes its dictionaries once (about a second): not in a user's request.
    setImmediate(warmPasswordPolicy);
  }
}
