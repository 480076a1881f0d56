import type { SqlDatabase } from './sql';

/** A versioned schema change. Versions are global: eventstore 100s, election 200s, identity 300s, projections 400s, quickcount 500s, audit 600s. */
export interface Migration {
  version: number;
  name: string;
  /** SQL that runs on PostgreSQL 15 and on PGlite (PostgreSQL 18) alike. */
  sql: string;
}

/** Applies every migration not yet recorded, in version order, each in its own transaction. */
export async function migrate(db: SqlDatabase, migrations: readonly Migration[]): Promise<number[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const applied: number[] = [];
  for (const m of sorted) {
    const done = await db.transaction(async (tx) => {
      // Serialises concurrent starters (several processes on one PostgreSQL).
      await tx.query('SELECT pg_advisory_xact_lock(7251001)');
      const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (rows.length > 0) return false;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
