import type { Migration } from './migration';
import { eventStoreMigrations } from '../eventstore/eventstore.migrations';
import { electionMigrations } from '../election/election.migrations';
import { identityMigrations } from '../identity/identity.migrations';

/** Every context's migrations; each context owns its own file and version range. */
export const allMigrations: Migration[] = [...eventStoreMigrations, ...electionMigrations, ...identityMigrations];
