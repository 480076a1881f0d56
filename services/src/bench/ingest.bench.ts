import { randomUUID } from 'node:crypto';
import type { BallotSheet } from '@suara/contracts';
import { operatorTokens } from './accounts';
import { cpuMeter, type CpuShares } from './cpu-meter';
import { validForm } from './forms';
import { KeepAliveClient } from './http-client';
import { startPostgresService, waitForTallies } from './service-fixture';
import { lanes, quantile, seededRandom } from './stats';

export interface IngestResult {
  acceptedPerSec: number;
  accepted: number;
  seconds: number;
  concurrency: number;
  /** Non-201 answers by status (should be empty). */
  failures: Record<string, number>;
  firstFailure?: string;
  p50Ms: number;
  p99Ms: number;
  /** From the end of the load until the kabupaten tally counted every accepted submission. */
  catchUpSeconds: number;
  bootSeconds: number;
  /** CPU the load generator (this process) used over the run, in % of one core: shows it was not the bottleneck. */
  generatorCpuPercent: number;
  /** CPU of the service and of PostgreSQL over the load, when /proc can tell. */
  cpu: CpuShares | null;
}

/**
 * Valid PPWP submissions over HTTP (auth, validation, decider, group-committed append, with the
 * projector running in the same service) from `concurrency` keep-alive connections, each a new
 * TPS. After a warm-up, counts 201s completed within the measured window.
 */
export async function measureIngest(
  serverUrl: string,
  labuselDir: string,
  opts: { seconds: number; concurrency: number; tpsCount: number; warmupSeconds: number },
  log: (m: string) => void,
): Promise<IngestResult> {
  const fx = await startPostgresService(serverUrl, labuselDir, 'ingest', opts.tpsCount);
  const client = new KeepAliveClient(fx.service.url, opts.concurrency);
  try {
    log(`  ingest: service up in ${(fx.service.bootMs / 1000).toFixed(1)} s with ${opts.tpsCount} TPS; creating operators`);
    const tokens = await operatorTokens(fx.service.url, fx.admin, [...fx.election.desa.keys()], 16);
    const sheet = (await fx.admin.tpsBallots(fx.election.tps[0].code)).find((s) => s.ballot === 'PPWP') as BallotSheet;
    const rnd = seededRandom(11);
    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    let firstFailure: string | undefined;
    let accepted = 0;
    let acceptedTotal = 0;
    let next = 0;
    const windowStart = performance.now() + opts.warmupSeconds * 1000;
    const windowEnd = windowStart + opts.seconds * 1000;
    let lastInWindow = windowStart;
    const cpuBefore = process.cpuUsage();
    const loadStarted = performance.now();
    const meter = cpuMeter(fx.service.pid);
    await lanes(opts.concurrency, async () => {
      const tps = fx.election.tps[next++];
      if (!tps || performance.now() >= windowEnd) return false;
      const body = JSON.stringify({ tpsCode: tps.code, ballot: 'PPWP', clientRequestId: randomUUID(), form: validForm(sheet, rnd) });
      const sent = performance.now();
      const res = await client.post('/api/results', tokens.get(tps.desaCode)!, body);
      const done = performance.now();
      if (res.status === 201) {
        acceptedTotal++;
        if (done >= windowStart && done <= windowEnd) {
          accepted++;
          lastInWindow = done;
          latencies.push(done - sent);
        }
      } else {
        failures[res.status] = (failures[res.status] ?? 0) + 1;
        firstFailure ??= `${res.status} ${res.body.slice(0, 300)}`;
      }
      return true;
    });
    const cpuShares = meter.stop();
    const cpu = process.cpuUsage(cpuBefore);
    const generatorCpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - loadStarted)) * 100;
    if (next > fx.election.tps.length) log(`  ingest: ran out of TPS before the window ended; rate is over ${((lastInWindow - windowStart) / 1000).toFixed(1)} s`);
    const seconds = (Math.min(windowEnd, lastInWindow) - windowStart) / 1000;
    log(`  ingest: ${accepted} accepted in ${seconds.toFixed(1)} s; waiting for the projector to count all ${acceptedTotal}`);
    const catchUpMs = await waitForTallies(fx.admin, fx.election.kabupatenCode, ['PPWP'], acceptedTotal);
    return {
      acceptedPerSec: accepted / seconds,
      accepted,
      seconds,
      concurrency: opts.concurrency,
      failures,
      firstFailure,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      catchUpSeconds: catchUpMs / 1000,
      bootSeconds: fx.service.bootMs / 1000,
      generatorCpuPercent,
      cpu: cpuShares,
    };
  } finally {
    client.close();
    await fx.close();
  }
}
