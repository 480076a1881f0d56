import { randomUUID } from 'node:crypto';
import type { BallotSheet } from '@suara/contracts';
import { openPostgres } from '../db/postgres.database';
import { officialToken, operatorTokens } from './accounts';
import { connectDashboard, type Dashboard } from './freshness.bench';
import { validForm } from './forms';
import { KeepAliveClient } from './http-client';
import { positionKey } from './position-key';
import { startPostgresService } from './service-fixture';
import type { ServiceProcess } from './server-process';
import { quantile, seededRandom, sleep } from './stats';

const METRICS_TOKEN = 'bench-failover-metrics-token';

export interface FailoverResult {
  /** Milliseconds from the SIGKILL of the leading projector to the first push the new leader caused, one per round. */
  takeoverMs: number[];
  p50Ms: number;
  worstMs: number;
  /** Submissions accepted during the rounds (the load never stops). */
  submissions: number;
  failures: number;
}

/**
 * Two projector processes and one command+live process on PostgreSQL, under a steady load of
 * `rate` submissions per second with a dashboard watching the kabupaten. Each round SIGKILLs the
 * leading projector (it cannot hand its lease back), times the first `tally` push that goes past
 * the checkpoint it left, and starts a fresh standby for the next round.
 */
export async function measureFailover(
  serverUrl: string,
  labuselDir: string,
  opts: { rounds: number; rate: number },
  log: (m: string) => void,
): Promise<FailoverResult> {
  const total = Math.ceil(opts.rate * (opts.rounds * 8 + 10));
  const fx = await startPostgresService(serverUrl, labuselDir, 'failover', total, ['command,live', 'projector', 'projector'], { METRICS_TOKEN });
  const projectors = [...fx.extra];
  const client = new KeepAliveClient(fx.service.url, 64);
  const db = await openPostgres(fx.db.url, { max: 1 });
  let dashboard: Dashboard | undefined;
  let sending = true;
  let accepted = 0;
  let failures = 0;
  try {
    const tokens = await operatorTokens(fx.service.url, fx.admin, [...fx.election.desa.keys()], 8);
    const sheet = (await fx.admin.tpsBallots(fx.election.tps[0].code)).find((s) => s.ballot === 'PPWP') as BallotSheet;
    const region = fx.election.kabupatenCode;
    dashboard = await connectDashboard(fx.service.url, await officialToken(fx.service.url, fx.admin), region);
    const pushes = dashboard.pushes;

    const rnd = seededRandom(29);
    const load = (async () => {
      for (const t of fx.election.tps.slice(0, total)) {
        if (!sending) break;
        const json = JSON.stringify({ tpsCode: t.code, ballot: 'PPWP', clientRequestId: randomUUID(), form: validForm(sheet, rnd) });
        client.post('/api/results', tokens.get(t.desaCode)!, json).then(
          (res) => (res.status === 201 ? accepted++ : failures++),
          () => failures++,
        );
        await sleep(1000 / opts.rate);
      }
    })();

    const takeoverMs: number[] = [];
    for (let round = 1; round <= opts.rounds; round++) {
      const leader = await waitForLeader(projectors);
      await sleep(1000);
      process.kill(leader.pid, 'SIGKILL');
      const killedAt = performance.now();
      const left = positionKey(await checkpoint(db));
      const first = await waitFor(() => pushes.find((p) => p.at > killedAt && p.key > left), 60_000);
      takeoverMs.push(first.at - killedAt);
      log(`  failover: round ${round}: first push from the new leader ${(first.at - killedAt).toFixed(0)} ms after the SIGKILL`);
      projectors.splice(projectors.indexOf(leader), 1);
      await leader.stop();
      projectors.push(await fx.startExtra('projector'));
    }
    sending = false;
    await load;
    return { takeoverMs, p50Ms: quantile(takeoverMs, 0.5), worstMs: Math.max(...takeoverMs), submissions: accepted, failures };
  } finally {
    sending = false;
    dashboard?.socket.disconnect();
    client.close();
    await db.close();
    await fx.close();
  }
}

async function checkpoint(db: Awaited<ReturnType<typeof openPostgres>>): Promise<string> {
  const { rows } = await db.query<{ position: string }>(`SELECT position FROM projection_checkpoints WHERE name = 'tallies'`);
  return rows[0]?.position ?? '0';
}

async function waitForLeader(projectors: ServiceProcess[]): Promise<ServiceProcess> {
  return waitFor(async () => {
    for (const p of projectors) {
      const res = await fetch(`${p.url}/health`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      const health = (await res.json()) as { projection?: { leader?: boolean } };
      if (health.projection?.leader) return p;
    }
    return undefined;
  }, 60_000);
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`failover: nothing within ${timeoutMs} ms`);
    await sleep(5);
  }
}
