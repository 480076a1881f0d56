import type { SqlExecutor } from '../db/sql';

/**
 * Shadow copies of the read-model tables for a rebuild: the same tables in a schema of their own,
 * filled while the live ones keep serving (and the live projector keeps projecting), then swapped in
 * within one transaction. Definitions write unqualified table names, so a transaction whose
 * `search_path` starts with the shadow schema writes the shadow tables with the same SQL.
 */
export const SHADOW_SCHEMA = 'suara_rebuild';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

interface IndexRow {
  name: string;
  def: string;
  uniq: boolean;
  constraint_def: string | null;
}

/** The schema the live read models are in (the first of the search path). */
export async function liveSchema(ex: SqlExecutor): Promise<string> {
  const { rows } = await ex.query<{ schema: string }>('SELECT current_schema() AS schema');
  return rows[0].schema;
}

/**
 * (Re)creates the shadow schema with an empty copy of each table and of `projection_checkpoints`,
 * with only the unique indexes the upserts need; `finishShadow` adds the others once, at the end.
 * Whatever an earlier rebuild that died left there is dropped first. The tables are logged from the
 * start: their WAL is written while Node folds the next batches, where UNLOGGED tables made durable
 * at the end (SET LOGGED rewrites them) cost 3.6 of 200,000 events' 20 s after the folding was done.
 */
export async function createShadow(ex: SqlExecutor, live: string, tables: readonly string[]): Promise<void> {
  for (const t of [live, ...tables]) if (!IDENTIFIER.test(t)) throw new Error(`not an identifier: ${t}`);
  await ex.exec(`DROP SCHEMA IF EXISTS ${SHADOW_SCHEMA} CASCADE; CREATE SCHEMA ${SHADOW_SCHEMA};`);
  for (const t of [...tables, 'projection_checkpoints']) {
    await ex.exec(`CREATE TABLE ${SHADOW_SCHEMA}.${t} (LIKE ${live}.${t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
    for (const index of await indexesOf(ex, live, t)) if (index.uniq) await ex.exec(shadowIndex(index, live, t));
  }
}

/** Every index still missing on the shadow tables (then they are ready to swap in). */
export async function finishShadow(ex: SqlExecutor, live: string, tables: readonly string[]): Promise<void> {
  for (const t of tables) for (const index of await indexesOf(ex, live, t)) if (!index.uniq) await ex.exec(shadowIndex(index, live, t));
}

/** Inside the swap transaction: the shadow tables replace the live ones, and the shadow schema goes. */
export async function swapShadowIn(tx: SqlExecutor, live: string, tables: readonly string[]): Promise<void> {
  for (const t of tables) await tx.exec(`DROP TABLE ${live}.${t}; ALTER TABLE ${SHADOW_SCHEMA}.${t} SET SCHEMA ${live};`);
  await tx.exec(`DROP SCHEMA ${SHADOW_SCHEMA} CASCADE`);
}

/** Points the rest of the transaction's unqualified names at the shadow tables (or back at the live ones). */
export async function useSchema(tx: SqlExecutor, ...schemas: string[]): Promise<void> {
  await tx.query(`SELECT set_config('search_path', $1, true)`, [schemas.join(', ')]);
}

async function indexesOf(ex: SqlExecutor, schema: string, table: string): Promise<IndexRow[]> {
  const { rows } = await ex.query<IndexRow>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, x.indisunique AS uniq, pg_get_constraintdef(c.oid) AS constraint_def
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = t.oid
      WHERE n.nspname = $1 AND t.relname = $2
      ORDER BY i.relname`,
    [schema, table],
  );
  return rows;
}

/** The same index (or primary key / unique constraint), under the same name, on the shadow table. */
function shadowIndex(index: IndexRow, live: string, table: string): string {
  if (index.constraint_def) return `ALTER TABLE ${SHADOW_SCHEMA}.${table} ADD CONSTRAINT ${index.name} ${index.constraint_def}`;
  const on = ` ON ${live}.${table} `;
  if (!index.def.includes(on)) throw new Error(`cannot copy index ${index.name}: ${index.def}`);
  return index.def.replace(on, ` ON ${SHADOW_SCHEMA}.${table} `);
}
