import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ALL_ROLES } from '../config';
import type { BallotSheet } from '@suara/contracts';
import { operatorTokens } from './accounts';
import { cpuMeter, ownCpuMeter, type CpuShares } from './cpu-meter';
import { validForm } from './forms';
import { KeepAliveClient } from './http-client';
import { startService } from './server-process';
import { startPostgresService, waitForTallies } from './service-fixture';
import { lanes, quantile, seededRandom } from './stats';

export interface IngestResult {
  acceptedPerSec: number;
  accepted: number;
  seconds: number;
  concurrency: number;
  /** Service processes taking submissions (the first runs every role, the others the command role). */
  instances: number;
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
  /** The same requests against a bare Fastify route that does no work (see http-floor.server). */
  floor: { answeredPerSec: number; generatorCpuPercent: number; serverCpuPercent: number | null };
}

interface LoadOptions {
  seconds: number;
  concurrency: number;
  warmupSeconds: number;
  /** Start again from the first request when they run out (the floor stores nothing, so repeats cost the same). */
  cycle?: boolean;
}

/** Where the load goes: the generator spreads its connections over `urls` in turn. */
interface Target {
  urls: string[];
  pids: number[];
}

interface Submission {
  token: string;
  json: string;
}

/**
 * Valid PPWP submissions over HTTP (auth, validation, decider, group-committed append, with the
 * projector running in the same service) from `concurrency` keep-alive connections, each a new
 * TPS. After a warm-up, counts 201s completed within the measured window. Then the same requests
 * go to a bare Fastify route: what this machine's HTTP layer answers when nothing else is done.
 */
export async function measureIngest(
  serverUrl: string,
  labuselDir: string,
  opts: LoadOptions & { tpsCount: number; instances: number },
  log: (m: string) => void,
): Promise<IngestResult> {
  // The first process runs every role; each further one only takes commands (another API instance).
  const roles = [ALL_ROLES.join(','), ...Array<string>(opts.instances - 1).fill('command')];
  const fx = await startPostgresService(serverUrl, labuselDir, 'ingest', opts.tpsCount, roles);
  let requests: Submission[];
  let service: Omit<IngestResult, 'floor'>;
  try {
    log(`  ingest: ${opts.instances} service instance(s) up, the first in ${(fx.service.bootMs / 1000).toFixed(1)} s, with ${opts.tpsCount} TPS; creating operators`);
    const tokens = await operatorTokens(fx.service.url, fx.admin, [...fx.election.desa.keys()], 16);
    const sheet = (await fx.admin.tpsBallots(fx.election.tps[0].code)).find((s) => s.ballot === 'PPWP') as BallotSheet;
    // Every request is built before the clock starts: the generator shares the service's two cores.
    const rnd = seededRandom(11);
    requests = fx.election.tps.map((tps) => ({
      token: tokens.get(tps.desaCode)!,
      json: JSON.stringify({ tpsCode: tps.code, ballot: 'PPWP', clientRequestId: randomUUID(), form: validForm(sheet, rnd) }),
    }));
    const instances = [fx.service, ...fx.extra];
    const load = await drive({ urls: instances.map((s) => s.url), pids: instances.map((s) => s.pid) }, requests, opts);
    if (load.ranOut) log(`  ingest: ran out of TPS before the window ended; rate is over ${load.seconds.toFixed(1)} s`);
    log(`  ingest: ${load.answered} accepted in ${load.seconds.toFixed(1)} s; waiting for the projector to count all ${load.answeredTotal}`);
    const catchUpMs = await waitForTallies(fx.admin, fx.election.kabupatenCode, ['PPWP'], load.answeredTotal);
    service = {
      acceptedPerSec: load.answered / load.seconds,
      accepted: load.answered,
      seconds: load.seconds,
      concurrency: opts.concurrency,
      instances: opts.instances,
      failures: load.failures,
      firstFailure: load.firstFailure,
      p50Ms: quantile(load.latencies, 0.5),
      p99Ms: quantile(load.latencies, 0.99),
      catchUpSeconds: catchUpMs / 1000,
      bootSeconds: fx.service.bootMs / 1000,
      generatorCpuPercent: load.generatorCpuPercent,
      cpu: load.cpu,
    };
  } finally {
    await fx.close();
  }
  const floor = await measureFloor(requests, opts);
  log(`  ingest: a bare Fastify route answered ${Math.round(floor.answeredPerSec)} of the same requests per second`);
  return { ...service, floor };
}

async function measureFloor(requests: Submission[], opts: LoadOptions): Promise<IngestResult['floor']> {
  const server = await startService({}, 30_000, resolve(__dirname, 'http-floor.server.js'));
  try {
    // Ingest now outruns a window's worth of new TPS; the floor answers faster still, so it cycles.
    const load = await drive({ urls: [server.url], pids: [server.pid] }, requests, { ...opts, cycle: true });
    if (load.answered === 0) throw new Error(`bare Fastify route answered nothing: ${load.firstFailure}`);
    return { answeredPerSec: load.answered / load.seconds, generatorCpuPercent: load.generatorCpuPercent, serverCpuPercent: load.cpu?.servicePercent ?? null };
  } finally {
    await server.stop();
  }
}

/** Sends `requests` in order from `concurrency` lanes until they run out or the window ends. */
async function drive(target: Target, requests: Submission[], opts: LoadOptions) {
  const clients = target.urls.map((url) => new KeepAliveClient(url, Math.ceil(opts.concurrency / target.urls.length)));
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let firstFailure: string | undefined;
  let answered = 0;
  let answeredTotal = 0;
  let next = 0;
  const windowStart = performance.now() + opts.warmupSeconds * 1000;
  const windowEnd = windowStart + opts.seconds * 1000;
  let lastInWindow = windowStart;
  const generatorCpu = ownCpuMeter();
  const meter = cpuMeter(target.pids);
  try {
    await lanes(opts.concurrency, async (lane) => {
      const client = clients[lane % clients.length];
      const request = requests[opts.cycle ? next++ % requests.length : next++];
      if (!request || performance.now() >= windowEnd) return false;
      const sent = performance.now();
      const res = await client.post('/api/results', request.token, request.json);
      const done = performance.now();
      if (res.status === 201) {
        answeredTotal++;
        if (done >= windowStart && done <= windowEnd) {
          answered++;
          lastInWindow = done;
          latencies.push(done - sent);
        }
      } else {
        failures[res.status] = (failures[res.status] ?? 0) + 1;
        firstFailure ??= `${res.status} ${res.body.slice(0, 300)}`;
      }
      return true;
    });
  } finally {
    for (const c of clients) c.close();
  }
  const cpu = meter.stop();
  return {
    answered,
    answeredTotal,
    seconds: (Math.min(windowEnd, lastInWindow) - windowStart) / 1000,
    ranOut: next > requests.length,
    latencies,
    failures,
    firstFailure,
    cpu,
    generatorCpuPercent: generatorCpu.stop(),
  };
}
