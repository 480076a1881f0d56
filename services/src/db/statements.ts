import type { SqlExecutor } from './sql';

/** One SQL statement with its own `$1…$n` parameters. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * Runs several independent statements as ONE (each a WITH clause of it), so they cost one round
 * trip instead of one each. Under load every round trip also waits for the event loop to come
 * round, so a transaction of many small statements is slow even when each one is quick. Each
 * statement's parameters are renumbered after those of the ones before it. The statements see the
 * same snapshot, so none may depend on another's changes; data-modifying ones always run, and
 * a SELECT (e.g. `pg_notify`) runs because the final SELECT reads it. `undefined` entries (nothing
 * to write) are skipped; a single statement is sent as it is.
 */
export async function runTogether(ex: SqlExecutor, statements: Array<Statement | undefined>): Promise<void> {
  const present = statements.filter((s) => s !== undefined);
  if (present.length === 0) return;
  const { sql, params } = present.length === 1 ? present[0] : combine(present);
  await ex.query(sql, params);
}

export function combine(statements: Statement[]): Statement {
  const params: unknown[] = [];
  const clauses = statements.map((s, i) => {
    const offset = params.length;
    params.push(...s.params);
    return `s${i} AS (${s.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  const reads = statements.flatMap((s, i) => (/^\s*SELECT\b/i.test(s.sql) ? [`(SELECT count(*) FROM s${i})`] : []));
  return { sql: `WITH ${clauses.join(',\n')}\nSELECT ${reads.length > 0 ? reads.join(' + ') : '0'} AS selected`, params };
}
