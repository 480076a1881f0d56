import type { Migration } from './db/migration';
import { eventStoreMigrations } from './eventstore/eventstore.migrations';
import { electionMigrations } from './election/election.migrations';
import { identityMigrations } from './identity/identity.migrations';
import { projectionsMigrations } from './projections/projections.migrations';
import { quickcountMigrations } from './quickcount/quickcount.migrations';
import { evidenceMigrations } from './evidence/evidence.migrations';
import { integrityMigrations } from './integrity/integrity.migrations';

/**
 * Every context's migrations, composed here like the modules in app.module: each context owns its
 * `*.migrations.ts` and version range, and db/ only runs what it is handed.
 */
export const allMigrations: Migration[] = [
  ...eventStoreMigrations, ...electionMigrations, ...identityMigrations, ...projectionsMigrations, ...quickcountMigrations, ...integrityMigrations,
  ...evidenceMigrations,
];
