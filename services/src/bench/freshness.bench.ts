import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { BallotSheet, LiveClientToServerEvents, LiveServerToClientEvents, SubscribeAck, TallyView } from '@suara/contracts';
import { openPostgres } from '../db/postgres.database';
import { createSqlEventStore } from '../eventstore';
import { officialToken, operatorTokens } from './accounts';
import { cpuMeter, ownCpuMeter, type CpuShares } from './cpu-meter';
import { validForm } from './forms';
import { KeepAliveClient } from './http-client';
import { positionKey } from './position-key';
import { startPostgresService } from './service-fixture';
import { quantile, seededRandom, sleep } from './stats';

type LiveSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

export interface FreshnessResult {
  p50Ms: number;
  p99Ms: number;
  /** The same, at one designated dashboard (the first connected). */
  designatedP50Ms: number;
  designatedP99Ms: number;
  targetRate: number;
  ratePerSec: number;
  submissions: number;
  dashboards: number;
  samples: number;
  /** (submission, dashboard) pairs that saw no push including the submission before the end. */
  missing: number;
  pushesPerDashboard: number;
  failures: number;
  seconds: number;
  /**
   * The bench process (generator and the 200 dashboards) over the sending window: its CPU in % of a
   * core and its event loop's p99 delay, which a push's measured arrival includes.
   */
  bench: { cpuPercent: number; loopDelayP99Ms: number };
  /** CPU of the service and of PostgreSQL over the sending window. */
  cpu: CpuShares | null;
}

/** A dashboard's received pushes: arrival time and position key, in arrival order. */
export interface Dashboard {
  socket: LiveSocket;
  pushes: Array<{ at: number; key: string }>;
}

/**
 * `dashboards` socket.io clients subscribe to the kabupaten PPWP tally; submissions arrive at a
 * steady `rate` per second (open loop: each is sent at its scheduled time whatever the answers
 * before it). For every accepted submission and every dashboard, the latency is the time from the
 * 201 reaching the generator to the first `tally` push whose `position` is at or past the
 * submission's event (so it includes it); a push that beat the 201 counts as 0 ms.
 */
export async function measureFreshness(
  serverUrl: string,
  labuselDir: string,
  opts: { seconds: number; rate: number; dashboards: number; maxInFlight?: number },
  log: (m: string) => void,
): Promise<FreshnessResult> {
  const total = Math.ceil(opts.rate * opts.seconds);
  const fx = await startPostgresService(serverUrl, labuselDir, 'fresh', total);
  const client = new KeepAliveClient(fx.service.url, opts.maxInFlight ?? 256);
  const dashboards: Dashboard[] = [];
  try {
    const tokens = await operatorTokens(fx.service.url, fx.admin, [...fx.election.desa.keys()], 16);
    const watchToken = await officialToken(fx.service.url, fx.admin);
    const sheet = (await fx.admin.tpsBallots(fx.election.tps[0].code)).find((s) => s.ballot === 'PPWP') as BallotSheet;
    const region = fx.election.kabupatenCode;
    for (let i = 0; i < opts.dashboards; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, opts.dashboards - i) }, () => connectDashboard(fx.service.url, watchToken, region)));
      dashboards.push(...batch);
    }
    log(`  freshness: ${dashboards.length} dashboards subscribed to ${region}/PPWP; sending ${total} submissions at ${opts.rate}/s`);

    const rnd = seededRandom(13);
    const bodies = fx.election.tps.slice(0, total).map((t) => ({
      tps: t,
      json: JSON.stringify({ tpsCode: t.code, ballot: 'PPWP', clientRequestId: randomUUID(), form: validForm(sheet, rnd) }),
    }));
    const acks = new Map<string, number>();
    let failures = 0;
    let firstFailure: string | undefined;
    let inFlight = 0;
    const maxInFlight = opts.maxInFlight ?? 256;
    const sends: Promise<void>[] = [];
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const meter = cpuMeter([fx.service.pid]);
    const benchCpu = ownCpuMeter();
    const started = performance.now();
    let i = 0;
    // Open loop for `seconds`: what the service cannot take by then is not sent (the rate shows it).
    const stopAt = started + opts.seconds * 1000;
    while (i < bodies.length && performance.now() < stopAt) {
      const due = Math.min(bodies.length, Math.floor(((performance.now() - started) / 1000) * opts.rate) + 1);
      while (i < due && inFlight < maxInFlight) {
        const { tps, json } = bodies[i++];
        inFlight++;
        sends.push(
          client.post('/api/results', tokens.get(tps.desaCode)!, json).then(
            (res) => {
              inFlight--;
              if (res.status === 201) acks.set(tps.code, performance.now());
              else {
                failures++;
                firstFailure ??= `${res.status} ${res.body.slice(0, 200)}`;
              }
            },
            (err: unknown) => {
              inFlight--;
              failures++;
              firstFailure ??= String(err);
            },
          ),
        );
      }
      await sleep(1);
    }
    await Promise.all(sends);
    loopDelay.disable();
    const cpu = meter.stop();
    const bench = { cpuPercent: benchCpu.stop(), loopDelayP99Ms: loopDelay.percentile(99) / 1e6 };
    const seconds = (Math.max(...acks.values(), stopAt) - started) / 1000;
    if (firstFailure) log(`  freshness: ${failures} submissions failed, first: ${firstFailure}`);

    const checkpoints = await submissionCheckpoints(fx.db.url, new Set(acks.keys()));
    const lastKey = [...checkpoints.values()].sort().at(-1) ?? positionKey('0');
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && dashboards.some((d) => (d.pushes.at(-1)?.key ?? '') < lastKey)) await sleep(20);

    const subs = [...acks].map(([tps, at]) => ({ at, key: checkpoints.get(tps) })).filter((s): s is { at: number; key: string } => s.key !== undefined);
    subs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const all: number[] = [];
    const designated: number[] = [];
    let missing = 0;
    dashboards.forEach((d, index) => {
      let p = 0;
      for (const s of subs) {
        while (p < d.pushes.length && d.pushes[p].key < s.key) p++;
        if (p >= d.pushes.length) {
          missing++;
          continue;
        }
        const latency = Math.max(0, d.pushes[p].at - s.at);
        all.push(latency);
        if (index === 0) designated.push(latency);
      }
    });
    return {
      p50Ms: quantile(all, 0.5),
      p99Ms: quantile(all, 0.99),
      designatedP50Ms: quantile(designated, 0.5),
      designatedP99Ms: quantile(designated, 0.99),
      targetRate: opts.rate,
      ratePerSec: acks.size / seconds,
      submissions: acks.size,
      dashboards: dashboards.length,
      samples: all.length,
      missing,
      pushesPerDashboard: dashboards.reduce((n, d) => n + d.pushes.length, 0) / Math.max(1, dashboards.length),
      failures,
      seconds,
      bench,
      cpu,
    };
  } finally {
    for (const d of dashboards) d.socket.disconnect();
    client.close();
    await fx.close();
  }
}

export async function connectDashboard(url: string, token: string, regionCode: string): Promise<Dashboard> {
  const socket: LiveSocket = io(`${url}/live`, { auth: { token }, transports: ['websocket'], reconnection: false, timeout: 20_000 });
  const dashboard: Dashboard = { socket, pushes: [] };
  socket.on('tally', (tally: TallyView) => {
    if (tally.region.code === regionCode && tally.ballot === 'PPWP') dashboard.pushes.push({ at: performance.now(), key: positionKey(tally.position) });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(new Error(`dashboard could not connect: ${err.message}`)));
  });
  const ack = await new Promise<SubscribeAck>((resolve) => socket.emit('subscribe', { regionCode, ballot: 'PPWP' }, resolve));
  if (!ack.ok) throw new Error(`subscribe refused: ${ack.error} ${ack.message}`);
  return dashboard;
}

/** The position key of each accepted submission's event, read back from the store after the run. */
async function submissionCheckpoints(databaseUrl: string, tpsCodes: Set<string>): Promise<Map<string, string>> {
  const db = await openPostgres(databaseUrl, { max: 1 });
  const store = createSqlEventStore(db);
  const found = new Map<string, string>();
  try {
    let from = '0';
    for (;;) {
      const batch = await store.readAll(from, 10_000);
      if (batch.events.length === 0) break;
      for (const e of batch.events) {
        const d = e.data as { tpsCode?: string; ballot?: string };
        if (e.type === 'ResultSubmitted' && d.ballot === 'PPWP' && d.tpsCode && tpsCodes.has(d.tpsCode)) found.set(d.tpsCode, positionKey(e.checkpoint));
      }
      from = batch.checkpoint;
    }
  } finally {
    await store.close();
    await db.close();
  }
  return found;
}
