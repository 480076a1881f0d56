import type { AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import type { EventStore } from './event-store.port';
import { createSqlEventStore } from './index';

/** KurrentDB when EVENTSTORE_URL is set, else the SQL store in the same database as the read models. */
export async function createEventStore(config: AppConfig, db: SqlDatabase): Promise<EventStore> {
  if (config.eventStoreUrl) {
    const { createKurrentDbEventStore } = await import('./kurrentdb.event-store');
    return createKurrentDbEventStore(config.eventStoreUrl);
  }
  return createSqlEventStore(db);
}
