import type { Migration } from './migration';
import { eventStoreMigrations } from '../eventstore/eventstore.migrations';
import { electionMigrations } from '../election/election.migrations';
import { identityMigrations } from '../identity/identity.migrations';
import { projectionsMigrations } from '../projections/projections.migrations';
import { quickcountMigrations } from '../quickcount/quickcount.migrations';
import { evidenceMigrations } from '../evidence/evidence.migrations';
import { integrityMigrations } from '../integrity/integrity.migrations';

/** Every context's migrations; each context owns its own file and version range. */
export const allMigrations: Migration[] = [
  ...eventStoreMigrations, ...electionMigrations, ...identityMigrations, ...projectionsMigrations, ...quickcountMigrations, ...integrityMigrations,
  ...evidenceMigrations,
];
