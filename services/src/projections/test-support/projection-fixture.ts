import { comparePositions, resultStreamId, type Ballot } from '@suara/contracts';
import { TallyReader } from '../../db/read-replica';
import { loadConfig } from '../../config';
import { migrate } from '../../db/migration';
import { allMigrations } from '../../app.migrations';
import type { SqlDatabase, SqlExecutor } from '../../db/sql';
import { ElectionRepository } from '../../election/election.repository';
import { ElectionService } from '../../election/election.service';
import { createSqlEventStore, type SqlEventStore } from '../../eventstore';
import type { NewEvent } from '../../eventstore/event-store.port';
import { TalliesRepository } from '../tallies.repository';
import { TalliesService } from '../tallies.service';

/** A migrated database with the Labusel master data, an SQL event store and the tallies query service. */
export interface ProjectionFixture {
  db: SqlDatabase;
  store: SqlEventStore;
  election: ElectionService;
  tallies: TalliesService;
  /** Appends result events to their streams, in order; resolves to the last one's checkpoint. */
  append(events: NewEvent[]): Promise<string>;
  /** Checkpoint of the last event appended through `append`. */
  readonly last: string;
  /**
   * Resolves once everything appended is visible to readers. The store only shows transactions older
   * than every running one in the whole PostgreSQL cluster, so other sessions can hold it back a while.
   */
  visible(): Promise<string>;
  /** Empties the event log and the read models (between tests sharing one database). */
  reset(): Promise<void>;
}

export async function projectionFixture(db: SqlDatabase): Promise<ProjectionFixture> {
  await migrate(db, allMigrations);
  const election = new ElectionService(new ElectionRepository(db), loadConfig({}));
  await election.onModuleInit();
  const store = createSqlEventStore(db, { pollIdleMs: 20 });
  let last = '0';
  return {
    get last() {
      return last;
    },
    async visible() {
      while (comparePositions(await store.head(), last) < 0) await new Promise((r) => setTimeout(r, 10));
      return last;
    },
    db,
    store,
    election,
    tallies: new TalliesService(election, new TalliesRepository(db, new TallyReader(db, undefined))),
    async append(events) {
      for (const e of events) {
        const d = e.data as { electionId: string; tpsCode: string; ballot: Ballot };
        last = (await store.append(resultStreamId(d.electionId, d.tpsCode, d.ballot), [e], 'ANY')).checkpoint;
      }
      return last;
    },
    async reset() {
      await db.exec('TRUNCATE messages, streams, result_current, region_tallies, dapil_tallies, result_audit; DELETE FROM projection_checkpoints;');
      last = '0';
    },
  };
}

/**
 * The same database, but while `armed()` says so the statement matching `failOn` runs and then
 * throws inside its transaction: a process dying in the middle of a batch, after its writes and
 * before its commit.
 */
export function crashingDatabase(db: SqlDatabase, failOn: RegExp, armed: () => boolean, onCrash: () => void): SqlDatabase {
  const wrap = (ex: SqlExecutor): SqlExecutor => ({
    query: (sql, params) => {
      if (!(failOn.test(sql) && armed())) return ex.query(sql, params);
      return ex.query(sql, params).then(() => {
        onCrash();
        throw new Error('injected crash in the middle of a batch');
      });
    },
    exec: (sql) => ex.exec(sql),
  });
  return {
    kind: db.kind,
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  };
}

/** `db` whose transactions take `ms` longer to commit (a slow disk): writes handed on lag behind. */
export function slowCommits(db: SqlDatabase, ms: number): SqlDatabase {
  return {
    kind: db.kind,
    query: (sql, params) => db.query(sql, params),
    exec: (sql) => db.exec(sql),
    transaction: (fn) =>
      db.transaction(async (tx) => {
        const result = await fn(tx);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return result;
      }),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  };
}
