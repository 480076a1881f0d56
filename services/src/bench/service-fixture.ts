import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuaraClient } from '@suara/contracts';
import { adminClient, serviceEnv } from './accounts';
import { generateElectionData, type GeneratedElection } from './election-data';
import { createBenchDatabase, type BenchDatabase } from './postgres';
import { startService, type ServiceProcess } from './server-process';
import { sleep } from './stats';

/** A service process on a fresh PostgreSQL database with a generated election of `tpsCount` TPS. */
export interface ServiceFixture {
  service: ServiceProcess;
  db: BenchDatabase;
  election: GeneratedElection;
  admin: SuaraClient;
  close(): Promise<void>;
}

export async function startPostgresService(serverUrl: string, labuselDir: string, label: string, tpsCount: number): Promise<ServiceFixture> {
  const tmp = mkdtempSync(join(tmpdir(), `suara-bench-${label}-`));
  const election = generateElectionData(labuselDir, join(tmp, 'election'), tpsCount);
  const db = await createBenchDatabase(serverUrl, label);
  let service: ServiceProcess | undefined;
  try {
    service = await startService(serviceEnv({ DATABASE_URL: db.url, DATA_DIR: join(tmp, 'data'), ELECTION_DATA: election.dir }));
    const admin = await adminClient(service.url);
    const running = service;
    return {
      service: running,
      db,
      election,
      admin,
      async close() {
        await running.stop();
        await db.drop();
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await service?.stop();
    await db.drop();
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Polls the kabupaten tally until `tpsReported` reaches `expected` for every ballot given, and
 * returns how long that took (ms); throws after `timeoutMs`.
 */
export async function waitForTallies(client: SuaraClient, regionCode: string, ballots: readonly string[], expected: number, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  const pending = new Set(ballots);
  let last = '';
  while (pending.size > 0) {
    for (const ballot of [...pending]) {
      const tally = await client.tally(regionCode, ballot as never);
      last = `${ballot}: ${tally.progress.tpsReported}/${expected}`;
      if (tally.progress.tpsReported >= expected) pending.delete(ballot);
    }
    if (pending.size === 0) break;
    if (performance.now() - started > timeoutMs) throw new Error(`tallies did not reach ${expected} TPS within ${timeoutMs} ms (${last})`);
    await sleep(50);
  }
  return performance.now() - started;
}
