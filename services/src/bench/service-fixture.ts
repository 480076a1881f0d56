import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SuaraClient } from '@suara/contracts';
import { ALL_ROLES } from '../config';
import { adminClient, serviceEnv } from './accounts';
import { generateElectionData, type GeneratedElection } from './election-data';
import { createBenchDatabase, type BenchDatabase } from './postgres';
import { startService, type ServiceProcess } from './server-process';
import { sleep } from './stats';

/**
 * Service processes on a fresh PostgreSQL database with a generated election of `tpsCount` TPS, one
 * per entry of `roles` (each a ROLES value, as in docker-compose.yml): `service` is the first, which
 * must take commands (the setup calls go to it), `extra` the others.
 */
export interface ServiceFixture {
  service: ServiceProcess;
  extra: ServiceProcess[];
  db: BenchDatabase;
  election: GeneratedElection;
  admin: SuaraClient;
  /** Starts one more process with these ROLES on the same database (stopped by `close`). */
  startExtra(roles: string): Promise<ServiceProcess>;
  close(): Promise<void>;
}

export async function startPostgresService(
  serverUrl: string, labuselDir: string, label: string, tpsCount: number, roles = [ALL_ROLES.join(',')], extraEnv: Record<string, string> = {},
): Promise<ServiceFixture> {
  const tmp = mkdtempSync(join(tmpdir(), `suara-bench-${label}-`));
  const election = generateElectionData(labuselDir, join(tmp, 'election'), tpsCount);
  const db = await createBenchDatabase(serverUrl, label);
  const started: ServiceProcess[] = [];
  const stopAll = () => Promise.all(started.map((s) => s.stop()));
  try {
    const env = serviceEnv({ DATABASE_URL: db.url, DATA_DIR: join(tmp, 'data'), ELECTION_DATA: election.dir, ...extraEnv });
    // One after another: the first migrates and loads the election, the others find it done.
    for (const r of roles) started.push(await startService({ ...env, ROLES: r }));
    const [service, ...extra] = started;
    const admin = await adminClient(service.url);
    return {
      service,
      extra,
      db,
      election,
      admin,
      async startExtra(roles) {
        const extra = await startService({ ...env, ROLES: roles });
        started.push(extra);
        return extra;
      },
      async close() {
        await stopAll();
        await db.drop();
        rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopAll();
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
