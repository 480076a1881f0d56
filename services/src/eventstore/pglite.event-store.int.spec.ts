import { allMigrations } from '../app.migrations';
import { openTestPglite } from '../db/test-support/test-database';
import { runEventStoreContract } from './event-store.contract';
import { sqlContractFixture } from './sql.contract-fixture';

runEventStoreContract(
  'SQL store on PGlite',
  async () => {
    const db = await openTestPglite({ migrations: allMigrations });
    return sqlContractFixture(db, () => db.close());
  },
  { lateCommit: 'serialized', groupCommit: true },
);
