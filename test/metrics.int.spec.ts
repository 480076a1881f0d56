import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ballot } from '@suara/contracts';
import { bootApp, ppwpForm, type TestApp } from './support/app';
import { errorOf, eventually } from './support/http';
import { connectLive, subscribe } from './support/live-client';
import { TEST_METRICS_TOKEN } from './support/server';
import { sheet } from './support/photos';

const DESA = '1222011001';
const tps = (n: number) => `${DESA}${String(n).padStart(3, '0')}`;
const PPWP: Ballot = 'PPWP';
let crid = 0;
const newCrid = () => `met-${Date.now().toString(36)}-${++crid}`;

/** Prometheus text format as `name{labels}` → value (labels as written, sorted by the exporter). */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/**
 * `/metrics` after real traffic: HTTP by route template, submissions by outcome, group commits,
 * sockets, rooms and pushes, seals, photos, projection lag and Node's own metrics all move.
 * Counters are per process and other suites may share it, so the checks are on differences.
 */
describe('Prometheus metrics', () => {
  let t: TestApp;
  const scrape = async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return parse(await res.text());
  };
  const value = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

  beforeAll(async () => {
    t = await bootApp('pglite');
  });
  afterAll(async () => t?.close());

  it('refuses without the metrics token, an admin token included', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.admin.token}` } })).status).toBe(401);
  });

  it('moves with real traffic', async () => {
    const before = await scrape();
    const operator = await t.userClient('operator', [DESA]);
    const official = await t.userClient('official');
    const socket = await connectLive(t.url, official.token);
    try {
      const ack = await subscribe(socket, DESA, PPWP);
      expect(ack.ok).toBe(true);
      let pushes = 0;
      socket.on('tally', () => pushes++);

      const body = { tpsCode: tps(1), ballot: PPWP, clientRequestId: newCrid(), form: ppwpForm({ '01': 50, '02': 120, '03': 10 }) };
      await operator.submit(body);
      await operator.submit(body);
      await errorOf(operator.submit({ ...body, clientRequestId: newCrid() }));
      await errorOf(operator.submit({ ...body, tpsCode: tps(2), form: { votes: { '01': 'x' } } as never }));
      await Promise.all([3, 4, 5, 6].map((n) => operator.submit({ tpsCode: tps(n), ballot: PPWP, clientRequestId: newCrid(), form: ppwpForm({ '01': n, '02': 1, '03': 1 }) })));
      await operator.uploadPhoto(tps(1), PPWP, new Blob([new Uint8Array(await sheet())], { type: 'image/jpeg' }));
      await official.sealNow();
      await errorOf(official.region('9999999999'));
      await eventually('a tally push', () => (pushes > 0 ? true : undefined));

      const after = await eventually('the pushes to be counted', async () => {
        const m = await scrape();
        return value(m, 'suara_live_pushes_total{kind="tally"}') > value(before, 'suara_live_pushes_total{kind="tally"}') ? m : undefined;
      });
      const moved = (key: string) => value(after, key) - value(before, key);

      expect(moved('suara_http_requests_total{method="POST",route="/api/results",status="201"}')).toBe(5);
      expect(moved('suara_http_requests_total{method="POST",route="/api/results",status="409"}')).toBe(1);
      expect(moved('suara_http_requests_total{method="GET",route="/api/regions/:code",status="404"}')).toBe(1);
      expect(moved('suara_http_request_duration_seconds_count{method="POST",route="/api/results",status="201"}')).toBe(5);
      expect(moved('suara_submissions_total{outcome="accepted"}')).toBe(5);
      expect(moved('suara_submissions_total{outcome="duplicate"}')).toBe(1);
      expect(moved('suara_submissions_total{outcome="already_submitted"}')).toBe(1);
      expect(moved('suara_submissions_total{outcome="invalid_form"}') + moved('suara_submissions_total{outcome="invalid_input"}')).toBe(1);
      // Five accepted submissions and a photo: at least one group, never more appends than groups hold.
      expect(moved('suara_group_commit_batch_size_count')).toBeGreaterThanOrEqual(1);
      expect(moved('suara_group_commit_batch_size_sum')).toBeGreaterThanOrEqual(moved('suara_group_commit_batch_size_count'));
      expect(moved('suara_photos_total{outcome="stored"}')).toBe(1);
      expect(moved('suara_seals_total')).toBeGreaterThanOrEqual(1);
      expect(moved('suara_live_push_latency_seconds_count{kind="tally"}')).toBeGreaterThanOrEqual(1);
      expect(value(after, 'suara_live_sockets')).toBeGreaterThanOrEqual(1);
      expect(value(after, 'suara_live_rooms{kind="tally"}')).toBeGreaterThanOrEqual(1);
      expect(after.has('suara_projection_lag_events')).toBe(true);
      expect(after.has('suara_projection_lag_seconds')).toBe(true);
      expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect([...after.keys()].some((k) => k.startsWith('nodejs_eventloop_lag'))).toBe(true);
    } finally {
      socket.close();
    }
    // Once the projector caught up, both lag gauges say so.
    await eventually('the projection to catch up', async () => {
      const m = await scrape();
      return value(m, 'suara_projection_lag_events') === 0 && value(m, 'suara_projection_lag_seconds') === 0 ? true : undefined;
    });
    // The socket's leaving shows at the next scrape.
    await eventually('the socket to be gone', async () => (value(await scrape(), 'suara_live_sockets') === 0 ? true : undefined));
  });
});
