import type { SqlDatabase } from '../db/sql';
import { SqlEventStore, type SqlEventStoreOptions } from './sql.event-store';

export function createSqlEventStore(db: SqlDatabase, options?: SqlEventStoreOptions): SqlEventStore {
  return new SqlEventStore(db, options);
}

export { SqlEventStore, type SqlEventStoreOptions } from './sql.event-store';
export { appendInTransaction, type AppendOutcome } from './append-in-transaction';
export type { AppendRequest } from './append-plan';
export { START_CHECKPOINT, formatCheckpoint, parseCheckpoint, type SqlPosition } from './checkpoint';
export { canonicalJson, eventHash, verifyStreamChain, type ChainProblem, type ChainReport, type StreamHead } from './hash-chain';
export { eventStoreMigrations } from './eventstore.migrations';
export { EVENTS_CHANNEL } from './sql/notify-appended';
export type { EventStoreLogger } from './poll-subscription';
export * from './event-store.port';
