import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BALLOTS, resultStreamId } from '@suara/contracts';
import { openPostgres } from '../db/postgres.database';
import { migrate } from '../db/migration';
import { allMigrations } from '../app.migrations';
import { ballotSheet } from '../election/ballot-sheets';
import { loadMasterData } from '../election/master-data';
import { createSqlEventStore } from '../eventstore';
import type { EventStore } from '../eventstore/event-store.port';
import { rebuildProjections } from '../projections/rebuild';
import { generateElectionData } from './election-data';
import { validForm } from './forms';
import { createBenchDatabase } from './postgres';
import { lanes, seededRandom } from './stats';

const REBUILD_BATCH = 5000;

export interface RebuildResult {
  events: number;
  /** Appends through the store's group commit while writing the log. */
  appendPerSec: number;
  appendConcurrency: number;
  rebuildSeconds: number;
  eventsPerSec: number;
  /** Reading the whole log alone, in the rebuild's batches: the floor under any rebuild on this machine. */
  readOnlyPerSec: number;
}

/**
 * Writes at least `events` ResultSubmitted events (all five ballots of generated TPS, realistic
 * forms) straight into the SQL store with many concurrent appends — so the group commit is what
 * carries them — then times `rebuildProjections` from position zero.
 */
export async function measureRebuild(serverUrl: string, labuselDir: string, events: number, log: (m: string) => void, appendConcurrency = 256): Promise<RebuildResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'suara-bench-rebuild-'));
  const bench = await createBenchDatabase(serverUrl, 'rebuild');
  const db = await openPostgres(bench.url, { max: 8 });
  const store = createSqlEventStore(db);
  try {
    await migrate(db, allMigrations);
    const generated = generateElectionData(labuselDir, tmp, Math.ceil(events / BALLOTS.length));
    const { config } = loadMasterData(tmp);
    const work = generated.tps.flatMap((t) => BALLOTS.map((ballot) => ({ tpsCode: t.code, ballot })));
    const rnd = seededRandom(7);
    const electionId = generated.electionId;
    let next = 0;
    const started = performance.now();
    await lanes(appendConcurrency, async () => {
      const item = work[next++];
      if (!item) return false;
      const sheet = ballotSheet(config, item.ballot, item.tpsCode);
      if (!sheet) throw new Error(`no ${item.ballot} sheet for ${item.tpsCode}`);
      const data = { electionId, tpsCode: item.tpsCode, ballot: item.ballot, clientRequestId: randomUUID(), form: validForm(sheet, rnd), flags: [] };
      const metadata = { userId: 'bench', username: 'bench', role: 'operator' as const, at: new Date().toISOString(), requestId: randomUUID(), electionId };
      await store.append(resultStreamId(electionId, item.tpsCode, item.ballot), [{ type: 'ResultSubmitted', data, metadata }], 'NO_STREAM');
      if (next % 50_000 === 0) log(`  rebuild: appended ${next} events`);
      return true;
    });
    const appendSeconds = (performance.now() - started) / 1000;
    log(`  rebuild: ${work.length} events appended in ${appendSeconds.toFixed(1)} s; reading the log alone`);
    const readOnlyPerSec = work.length / (await timeReadingTheLog(store, REBUILD_BATCH));
    log(`  rebuild: read alone at ${Math.round(readOnlyPerSec)} events/s; rebuilding projections`);
    const report = await rebuildProjections(db, store, { batchSize: REBUILD_BATCH });
    if (report.events !== work.length) throw new Error(`rebuild read ${report.events} events, expected ${work.length}`);
    return {
      events: report.events,
      appendPerSec: work.length / appendSeconds,
      appendConcurrency,
      rebuildSeconds: report.durationMs / 1000,
      eventsPerSec: report.events / (report.durationMs / 1000),
      readOnlyPerSec,
    };
  } finally {
    await store.close();
    await db.close();
    await bench.drop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Seconds to page through the whole log with `readAll`, as the rebuild does, projecting nothing. */
async function timeReadingTheLog(store: EventStore, batchSize: number): Promise<number> {
  const started = performance.now();
  let from = '0';
  for (;;) {
    const batch = await store.readAll(from, batchSize);
    if (batch.events.length === 0) break;
    from = batch.checkpoint;
  }
  return (performance.now() - started) / 1000;
}
