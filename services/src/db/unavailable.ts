/**
 * Errors that mean "the database is away or is not the primary right now", not a bug: the HTTP
 * layer answers them with 503 + Retry-After, and a multi-host pool looks for the primary again.
 * 25006 (read_only_sql_transaction) is a write that reached a server demoted by a failover; a
 * pool ended under a call is the one a failover (or shutdown) just dropped.
 */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '25006', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    (typeof e?.code === 'string' && UNAVAILABLE_CODES.has(e.code)) ||
    /Connection terminated|connect ECONNREFUSED|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(e?.message ?? '')
  );
}
