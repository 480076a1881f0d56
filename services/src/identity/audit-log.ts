import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntryView, AuditQuery } from '@suara/contracts';
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

  /** Newest first; `before` pages back from an entry id; `action`, `actor` (username) and `target` filter exactly. */
  async list(opts: AuditQuery): Promise<AuditEntryView[]> {
    const params: unknown[] = [opts.limit];
    const where: string[] = [];
    const add = (condition: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(condition(params.length));
    };
    if (opts.before !== undefined) add((n) => `id < $${n}`, opts.before);
    if (opts.action !== undefined) add((n) => `action = $${n}`, opts.action);
    if (opts.actor !== undefined) add((n) => `lower(actor_username) = lower($${n})`, opts.actor);
    if (opts.target !== undefined) add((n) => `target = $${n}`, opts.target);
    const { rows } = await this.db.query<AuditRow>(
      `SELECT id::text AS id, at, actor_id AS "actorId", actor_username AS "actorUsername", action, target, detail, ip
       FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY audit_log.id DESC LIMIT $1`,
      params,
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at).toISOString() }));
  }
}
