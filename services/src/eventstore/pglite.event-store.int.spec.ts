import { allMigrations } from '../app.migrations';
import { openTestPglite } from '../db/test-support/test-database';
import { runEventStoreContract } from './test-support/event-store.contract';
import { sqlContractFixture } from './test-support/sql-fixture';

runEventStoreContract(
  'SQL store on PGlite',
  async () => {
    const db = await openTestPglite({ migrations: allMigrations });
    return sqlContractFixture(db, () => db.close());
  },
  { lateCommit: 'serialized', groupCommit: true },
);
