import { cpus, loadavg } from 'node:os';
import { loadConfig } from '../config';
import { measureEmbedded } from './embedded.bench';
import { measureFailover } from './failover.bench';
import { measureFreshness } from './freshness.bench';
import { measureIngest } from './ingest.bench';
import { measurePhotos } from './photos.bench';
import { MEASURES, parseOptions, type BenchOptions, type Measure } from './options';
import { ensurePostgres, redact, settlePostgres } from './postgres';
import { measureRawInsert } from './raw-insert.bench';
import { measureRebuild } from './rebuild.bench';
import { emptySummary, finalize, fmt, table, type BenchSummary, type Row } from './report';

type Log = (m: string) => void;

/**
 * `npm run bench [-- --quick] [-- --only raw,ingest,freshness,rebuild,embedded,photos,failover] [-- --database-url URL]`
 * Progress goes to stderr; stdout carries the table and, as its last line, the JSON summary
 * (figures of measures not run are null).
 */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const log: Log = (m) => process.stderr.write(`${m}\n`);
  const pgVersion = await ensurePostgres(options.postgresUrl, options.defaultPostgres);
  const machine = `${cpus().length} cores, Node ${process.version}, ${pgVersion}`;
  log(`bench: ${options.quick ? 'quick' : 'full'} run of ${[...options.only].join(', ')} on ${machine} at ${redact(options.postgresUrl)}`);
  const loadBefore = loadavg()[0];
  const summary = emptySummary();
  const rows: Row[] = [];
  const started = Date.now();
  for (const measure of MEASURES) {
    if (!options.only.has(measure)) continue;
    if (measure !== 'embedded' && !(await settlePostgres(options.postgresUrl))) log(`bench: could not CHECKPOINT before ${measure} (not a superuser?)`);
    const t0 = Date.now();
    log(`bench: ${measure} …`);
    await run(measure, options, summary, rows, log);
    log(`bench: ${measure} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const final = finalize(summary);
  if (final.ingest.ratio !== null) rows.splice(2, 0, { measure: 'ingest ratio', value: fmt(final.ingest.ratio, 2), target: '≥ 1.0', detail: 'acceptedPerSec / rawInsertPerSec' });
  const took = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`\nsuara bench (${options.quick ? 'quick' : 'full'}, ${took} s; ${machine}; load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)})`);
  console.log(table(rows));
  console.log(JSON.stringify(final));
}

async function run(measure: Measure, o: BenchOptions, summary: BenchSummary, rows: Row[], log: Log): Promise<void> {
  const labuselDir = loadConfig({}).electionDataDir;
  switch (measure) {
    case 'raw': {
      const r = await measureRawInsert(o.postgresUrl, o.rawSeconds);
      summary.ingest.rawInsertPerSec = r.rowsPerSec;
      rows.push({
        measure: 'raw insert (rows/s)',
        value: fmt(r.rowsPerSec),
        target: 'ceiling',
        detail: `${r.connections} pg connections, one 400-byte JSONB row per transaction, ${r.rows} rows in ${r.seconds.toFixed(1)} s`,
      });
      return;
    }
    case 'ingest': {
      const r = await measureIngest(o.postgresUrl, labuselDir, { seconds: o.ingestSeconds, concurrency: o.ingestConcurrency, tpsCount: o.ingestTps, warmupSeconds: o.ingestWarmupSeconds, instances: o.ingestInstances }, log);
      summary.ingest.acceptedPerSec = r.acceptedPerSec;
      const failed = Object.entries(r.failures).map(([s, n]) => `${n}×${s}`).join(' ');
      rows.push({
        measure: 'ingest (accepted/s)',
        value: fmt(r.acceptedPerSec),
        target: '',
        detail:
          `PPWP over HTTP to ${r.instances === 1 ? 'one service process' : `${r.instances} service processes`}, ${r.concurrency} in flight, ${r.accepted} × 201 in ${r.seconds.toFixed(1)} s; latency p50 ${fmt(r.p50Ms, 1)} ms p99 ${fmt(r.p99Ms, 1)} ms; ` +
          `tallies caught up ${fmt(r.catchUpSeconds, 1)} s after the load; generator used ${fmt(r.generatorCpuPercent)} % of a core${r.cpu ? `, service ${fmt(r.cpu.servicePercent)} %, PostgreSQL ${fmt(r.cpu.postgresPercent)} %` : ''}${failed ? `; FAILED ${failed}: ${r.firstFailure}` : ''}`,
      });
      rows.push({
        measure: 'bare HTTP (answers/s)',
        value: fmt(r.floor.answeredPerSec),
        target: 'floor',
        detail:
          `the same requests to a bare Fastify route doing no work (no auth, validation or storage); generator used ${fmt(r.floor.generatorCpuPercent)} % of a core` +
          `${r.floor.serverCpuPercent === null ? '' : `, server ${fmt(r.floor.serverCpuPercent)} %`}: ingest cannot beat it on this machine`,
      });
      return;
    }
    case 'freshness': {
      const r = await measureFreshness(o.postgresUrl, labuselDir, { seconds: o.freshnessSeconds, rate: o.freshnessRate, dashboards: o.dashboards }, log);
      Object.assign(summary.freshness, { p50Ms: r.p50Ms, p99Ms: r.p99Ms, ratePerSec: r.ratePerSec, dashboards: r.dashboards });
      rows.push({
        measure: 'freshness p50 (ms)',
        value: fmt(r.p50Ms, 1),
        target: '',
        detail: `201 → tally push including it, over ${r.samples} (submission, dashboard) pairs; one dashboard: p50 ${fmt(r.designatedP50Ms, 1)} ms`,
      });
      rows.push({
        measure: 'freshness p99 (ms)',
        value: fmt(r.p99Ms, 1),
        target: '≤ 250',
        detail: `one dashboard: p99 ${fmt(r.designatedP99Ms, 1)} ms; ${r.missing} pairs never saw their push`,
      });
      rows.push({
        measure: 'freshness rate (subm/s)',
        value: fmt(r.ratePerSec),
        target: `${fmt(r.targetRate)}`,
        detail:
          `${r.submissions} accepted in ${r.seconds.toFixed(1)} s, ${r.failures} failed; ${r.dashboards} dashboards, ${fmt(r.pushesPerDashboard, 0)} pushes each; ` +
          `${r.cpu ? `service ${fmt(r.cpu.servicePercent)} %, PostgreSQL ${fmt(r.cpu.postgresPercent)} %, ` : ''}bench process ${fmt(r.bench.cpuPercent)} % (its event loop p99 delay ${fmt(r.bench.loopDelayP99Ms, 1)} ms)`,
      });
      return;
    }
    case 'rebuild': {
      const r = await measureRebuild(o.postgresUrl, labuselDir, o.rebuildEvents, log);
      summary.rebuild.eventsPerSec = r.eventsPerSec;
      rows.push({ measure: 'rebuild (events/s)', value: fmt(r.eventsPerSec), target: '≥ 20,000', detail: `${r.events} events (all five ballots) from position zero in ${r.rebuildSeconds.toFixed(1)} s` });
      rows.push({ measure: 'log read alone (ev/s)', value: fmt(r.readOnlyPerSec), target: 'floor', detail: `the same log paged through with readAll in the rebuild's batches, projecting nothing: no rebuild on this machine can beat it` });
      rows.push({ measure: 'store append (events/s)', value: fmt(r.appendPerSec), target: 'info', detail: `writing that log: ${r.appendConcurrency} concurrent appends through the group commit` });
      return;
    }
    case 'embedded': {
      const r = await measureEmbedded(labuselDir, log, { tpsLimit: o.embeddedTps });
      summary.embedded.labuselSeconds = r.labuselSeconds;
      rows.push({
        measure: 'embedded Labusel (s)',
        value: fmt(r.labuselSeconds, 1),
        target: '≤ 30',
        detail:
          `PGlite: ${r.tps} TPS × 5 ballots = ${r.submissions} submissions, ${r.concurrency} in flight; all 201 after ${r.acceptSeconds.toFixed(1)} s, ` +
          `in every tally after ${r.measuredSeconds.toFixed(1)} s` +
          (r.extrapolated ? ` (quick: scaled to all ${r.allTps} TPS)` : '') +
          (r.failures ? `; FAILED ${r.failures}: ${r.firstFailure}` : ''),
      });
      return;
    }
    case 'photos': {
      const r = await measurePhotos(o.postgresUrl, labuselDir, { seconds: o.photoSeconds, concurrency: o.photoConcurrency, warmupSeconds: o.quick ? 1 : 2 }, log);
      for (const s of r.results) {
        if (s.store === 'disk') summary.photos.diskPerSec = s.photosPerSec;
        else summary.photos.s3PerSec = s.photosPerSec;
        summary.photos.p99Ms = Math.max(summary.photos.p99Ms ?? 0, s.p99Ms);
        summary.photos.maxRssMb = Math.max(summary.photos.maxRssMb ?? 0, s.memory.maxMb);
        const failed = Object.entries(s.failures).map(([k, n]) => `${n}×${k}`).join(' ');
        rows.push({
          measure: `photos ${s.store === 'disk' ? 'on disk' : 'on S3'} (photos/s)`,
          value: fmt(s.photosPerSec, 1),
          target: '≥ 30',
          detail:
            `${s.uploaded} JPEGs of ${fmt(s.averageBytes / 1024 / 1024, 2)} MB with thumbnails, ${r.concurrency} in flight, ${fmt(s.megabytesPerSec, 1)} MB/s; ` +
            `latency p50 ${fmt(s.p50Ms)} ms p99 ${fmt(s.p99Ms)} ms; service RSS ${fmt(s.memory.beforeMb)} → max ${fmt(s.memory.maxMb)} → ${fmt(s.memory.afterMb)} MB ` +
            `(high-water ${fmt(s.memory.highWaterMb)} MB)${s.cpu ? `; service ${fmt(s.cpu.servicePercent)} %, PostgreSQL ${fmt(s.cpu.postgresPercent)} %` : ''}, ` +
            `generator ${fmt(s.generatorCpuPercent)} % of a core${failed ? `; FAILED ${failed}: ${s.firstFailure}` : ''}`,
        });
      }
      return;
    }
    case 'failover': {
      const r = await measureFailover(o.postgresUrl, labuselDir, { rounds: o.failoverRounds, rate: o.failoverRate }, log);
      summary.failover = { p50Ms: r.p50Ms, worstMs: r.worstMs };
      rows.push({
        measure: 'failover p50 (ms)',
        value: fmt(r.p50Ms),
        target: '≤ 2,000',
        detail: `leading projector SIGKILLed under ${o.failoverRate} submissions/s, ${r.takeoverMs.length} rounds: ${r.takeoverMs.map((ms) => fmt(ms)).join(', ')} ms to the first push from the new leader`,
      });
      rows.push({
        measure: 'failover worst (ms)',
        value: fmt(r.worstMs),
        target: '≤ 2,000',
        detail: `${r.submissions} submissions accepted meanwhile${r.failures ? `, ${r.failures} FAILED` : ''}`,
      });
      return;
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
