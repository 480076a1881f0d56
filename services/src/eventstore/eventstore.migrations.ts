import type { Migration } from '../db/migration';

/** Owned by the event store adapters (placeholder until the SQL store lands). */
export const eventStoreMigrations: Migration[] = [];
