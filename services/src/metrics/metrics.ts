import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { HttpException } from '@nestjs/common';
import { ApiError } from '../http/api-error';

/**
 * The process's Prometheus metrics, served at `/metrics` (METRICS_TOKEN). Counters and histograms
 * are module-level, as prom-client intends: each seam (HTTP hook, group commit, live rooms, sealer,
 * photos, submissions) records into them without any wiring. Gauges that describe a state (lag,
 * sockets, rooms) are set by the metrics controller from this process's services at each scrape.
 * A registry of our own, not prom-client's global one, so nothing else in the process adds to it.
 */
export const metricsRegistry = new Registry();

let runtimeMetrics = false;
/** Node's own metrics (CPU, memory, event loop lag, GC, handles), once per process that serves /metrics. */
export function collectRuntimeMetrics(): void {
  if (runtimeMetrics) return;
  runtimeMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

const registers = [metricsRegistry];
/** Latency buckets in seconds: a read is ~ms, a submission under load tens of ms, a push up to the coalescing interval. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequests = new Counter({ name: 'suara_http_requests_total', help: 'HTTP requests answered, by route template and status', labelNames: ['method', 'route', 'status'], registers });
export const httpDuration = new Histogram({
  name: 'suara_http_request_duration_seconds', help: 'Time to answer an HTTP request, by route template and status', labelNames: ['method', 'route', 'status'], buckets: SECONDS, registers,
});
export const submissions = new Counter({
  name: 'suara_submissions_total',
  help: 'C.Hasil submissions by outcome: accepted (201), duplicate (the same clientRequestId again, 200), else the error code (already_submitted, invalid_input, rate_limited, ...)',
  labelNames: ['outcome'], registers,
});
export const groupCommitSize = new Histogram({
  name: 'suara_group_commit_batch_size', help: 'Appends committed together in one transaction', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500], registers,
});
export const projectionLagEvents = new Gauge({ name: 'suara_projection_lag_events', help: 'Events the read models trail the event store by (capped at 1000)', registers });
export const projectionLagSeconds = new Gauge({ name: 'suara_projection_lag_seconds', help: 'Age of the oldest event not yet in the read models (0 when caught up)', registers });
export const liveSockets = new Gauge({ name: 'suara_live_sockets', help: "Sockets connected to this process's /live namespace", registers });
export const liveRooms = new Gauge({ name: 'suara_live_rooms', help: 'Live rooms this process pushes to, by kind', labelNames: ['kind'], registers });
export const livePushes = new Counter({ name: 'suara_live_pushes_total', help: 'Views pushed to live rooms, by kind', labelNames: ['kind'], registers });
export const livePushLatency = new Histogram({
  name: 'suara_live_push_latency_seconds', help: 'From a committed change reaching this process to the push it caused (coalescing included)', labelNames: ['kind'], buckets: SECONDS, registers,
});
export const tallyReads = new Counter({
  name: 'suara_tally_reads_total',
  help: 'Tally reads by who answered: replica, or primary because there is no replica (none), the replica was behind what this process had shown or the change to push (behind), or it failed (replica_error)',
  labelNames: ['answered_by', 'reason'], registers,
});
export const sealsMade = new Counter({ name: 'suara_seals_total', help: 'Seals of the event log signed by this process', registers });
export const photosReceived = new Counter({ name: 'suara_photos_total', help: 'Photos of C.Hasil sheets by outcome: stored (new), duplicate (the same bytes again)', labelNames: ['outcome'], registers });

/** An error as a metric label: the API's error code, else `error`. */
export function outcomeOf(err: unknown): string {
  if (err instanceof ApiError) return err.code;
  if (err instanceof HttpException) return `http_${err.getStatus()}`;
  return 'error';
}
