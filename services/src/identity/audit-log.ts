import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntryView } from '@suara/contracts';
import type { SqlDatabase, SqlExecutor } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';

export interface AuditActor {
  id: string | null;
  username: string | null;
}

export interface AuditEntry {
  /** Who did it; null for an anonymous caller (a failed login) or the system. */
  actor: AuditActor | null;
  /** e.g. `login_ok`, `user_created` (see AUDIT_ACTIONS in contracts); other contexts add their own. */
  action: string;
  /** What it was done to: a user id, a username, a region… */
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

/** Writes one audit line; pass a transaction's executor to make it part of that transaction. */
export async function recordAudit(ex: SqlExecutor, entry: AuditEntry): Promise<void> {
  await ex.query(
    'INSERT INTO audit_log (actor_id, actor_username, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5::jsonb, $6)',
    [entry.actor?.id ?? null, entry.actor?.username ?? null, entry.action, entry.target ?? null, JSON.stringify(entry.detail ?? {}), entry.ip ?? null],
  );
}

interface AuditRow {
  id: string;
  at: Date;
  actorId: string | null;
  actorUsername: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

/**
 * The record of every login and admin action: who, what, to whom, when, from where. Exported so
 * that other contexts record their admin actions (phase switch, sample draw, simulation reset) here too.
 */
@Injectable()
export class AuditLog {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase) {}

  record(entry: AuditEntry, ex: SqlExecutor = this.db): Promise<void> {
    return recordAudit(ex, entry);
  }

  /** Newest first; `before` pages back from an entry id. */
  async list(opts: { limit: number; before?: number }): Promise<AuditEntryView[]> {
    const params: unknown[] = [opts.limit];
    let where = '';
    if (opts.before !== undefined) {
      params.push(opts.before);
      where = 'WHERE id < $2';
    }
    const { rows } = await this.db.query<AuditRow>(
      `SELECT id::text AS id, at, actor_id AS "actorId", actor_username AS "actorUsername", action, target, detail, ip
       FROM audit_log ${where} ORDER BY audit_log.id DESC LIMIT $1`,
      params,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at).toISOString() }));
  }
}
