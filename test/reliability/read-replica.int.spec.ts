import { afterAll, beforeAll, expect, it } from 'vitest';
import { comparePositions, SuaraClient, type TallyView } from '@suara/contracts';
import { findHost, parsePostgresHosts } from '../../services/src/db/postgres-hosts';
import { describeIfPostgres } from '../../services/src/db/test-support/test-database';
import { TallyWatcher } from '../support/live-client';
import { onServer, startPrivatePostgres, startStandby, type PrivatePostgres } from '../support/private-postgres';
import { desaList, health, KABUPATEN, submitOnce, waitUntil } from '../support/reliability';
import { startServer, TEST_METRICS_TOKEN, type RunningServer } from '../support/server';

/**
 * READ_DATABASE_URL against a real streaming replica: a private PostgreSQL primary and a hot
 * standby made from it with pg_basebackup. The replica answers tally reads once it has caught up;
 * when it stops replaying (paused here, as a replica under load or cut off falls behind) or goes
 * away, pushes and reads still show every submission and no position goes back: the primary answers.
 */
describeIfPostgres('tallies from a streaming replica (READ_DATABASE_URL)', () => {
  let primary: PrivatePostgres;
  let standby: PrivatePostgres;
  let server: RunningServer;
  let official: SuaraClient;
  let operatorToken: string;
  let tps: string[] = [];
  let next = 0;
  const shown: string[] = [];
  let watcher: TallyWatcher | undefined;

  beforeAll(async () => {
    primary = await startPrivatePostgres();
    const databaseUrl = await primary.createDatabase('suara');
    standby = await startStandby(primary);
    server = await startServer({ env: { DATABASE_URL: databaseUrl, READ_DATABASE_URL: standby.urlOf('suara'), SUARA_SUBMIT_RATE_PER_MIN: '100000' } });
    const admin = new SuaraClient(server.url);
    await admin.login(server.adminUser, server.adminPassword);
    const desa = (await desaList(admin)).slice(0, 2);
    tps = desa.flatMap((d) => d.tps);
    await admin.createUser({ username: 'official-replika', password: 'password-official', role: 'official' });
    await admin.createUser({ username: 'operator-replika', password: 'password-operator', role: 'operator', scope: desa.map((d) => d.code) });
    official = new SuaraClient(server.url);
    await official.login('official-replika', 'password-official');
    const operator = new SuaraClient(server.url);
    await operator.login('operator-replika', 'password-operator');
    operatorToken = operator.token!;
  }, 180_000);

  afterAll(async () => {
    watcher?.close();
    await server?.stop('SIGKILL').catch(() => undefined);
    await standby?.destroy().catch(() => undefined);
    await primary?.destroy().catch(() => undefined);
  });

  async function submitNext(): Promise<number> {
    const code = tps[next++];
    const answer = await submitOnce(server.url, operatorToken, code, `replika-${code}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return next;
  }

  /** The kabupaten tally by HTTP, remembering every position shown. */
  async function tally(): Promise<TallyView> {
    const view = await official.tally(KABUPATEN, 'PPWP');
    shown.push(view.position);
    return view;
  }

  /** Tally reads so far, by who answered and why (`suara_tally_reads_total`). */
  async function reads(): Promise<Record<string, number>> {
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).text();
    const counts: Record<string, number> = {};
    for (const m of text.matchAll(/^suara_tally_reads_total\{answered_by="(\w+)",reason="(\w*)"\} (\d+)/gm)) counts[`${m[1]}/${m[2] || 'caught_up'}`] = Number(m[3]);
    return counts;
  }

  const onReplica = (standbySql: string) => onServer(standby.urlOf('suara'), standbySql);
  /** Where `target_session_attrs=prefer-standby` over both servers (primary listed first) goes. */
  const preferStandby = () => findHost(parsePostgresHosts(`postgres://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/suara?target_session_attrs=prefer-standby`));

  it('answers tally reads from the replica once it has caught up', async () => {
    watcher = await TallyWatcher.start(server.url, official.token!, KABUPATEN, 'PPWP');
    const reported = await submitNext();
    await waitUntil('the push of the first submission', async () => (watcher!.latest?.progress.tpsReported === reported ? true : undefined), 30_000, 50);
    // From the push on, this process has shown the submission: a replica answer counted after it has it too
    // (the subscription's ack, before any submission, may have come from a replica that had nothing yet).
    const afterPush = (await reads())['replica/caught_up'] ?? 0;
    await waitUntil('an HTTP read answered by the replica with the submission', async () => {
      const view = await tally();
      expect(view.progress.tpsReported).toBe(reported);
      return ((await reads())['replica/caught_up'] ?? 0) > afterPush ? true : undefined;
    }, 30_000, 200);
    expect(await onReplica('SELECT pg_is_in_recovery()')).toBe(true);
    expect(await preferStandby()).toBe(standby.urlOf('suara'));
    expect((await health(server.url)).body.readReplica).toEqual({ ok: true, position: expect.stringMatching(/^\d/) });
  });

  it('a replica that stops replaying: every push and read still shows each submission, no position goes back, the primary answers', async () => {
    await onReplica('SELECT pg_wal_replay_pause()');
    const before = await reads();
    for (let i = 0; i < 3; i++) {
      const reported = await submitNext();
      await waitUntil(`the push of submission ${reported}`, async () => (watcher!.latest?.progress.tpsReported === reported ? true : undefined), 30_000, 50);
      expect((await tally()).progress.tpsReported).toBe(reported);
    }
    const during = await reads();
    expect((during['primary/behind'] ?? 0) - (before['primary/behind'] ?? 0)).toBeGreaterThanOrEqual(3);
    // The replica really is behind what was shown.
    const replicaAt = String((await onReplica(`SELECT position FROM projection_checkpoints WHERE name = 'tallies'`)) ?? '0');
    expect(comparePositions(replicaAt, shown.at(-1)!), `replica at ${replicaAt}, shown ${shown.at(-1)}`).toBeLessThan(0);

    await onReplica('SELECT pg_wal_replay_resume()');
    await waitUntil('the replica answering again', async () => {
      await tally();
      return ((await reads())['replica/caught_up'] ?? 0) > (during['replica/caught_up'] ?? 0) ? true : undefined;
    }, 30_000, 200);
  });

  it('a replica that goes away costs no answer: the primary serves reads and pushes, and the replica is used again once back', async () => {
    await standby.stop('immediate');
    const reported = await submitNext();
    await waitUntil('the push with the replica away', async () => (watcher!.latest?.progress.tpsReported === reported ? true : undefined), 30_000, 50);
    expect((await tally()).progress.tpsReported).toBe(reported);
    expect((await reads())['primary/replica_error'] ?? 0).toBeGreaterThan(0);
    expect(await preferStandby()).toBe(primary.urlOf('suara'));
    // The replica is away, not the service: /health says so and stays 200.
    const away = await health(server.url);
    expect(away.status).toBe(200);
    expect(away.body.readReplica).toMatchObject({ ok: false, error: expect.any(String) });

    await standby.start();
    const replicaBefore = (await reads())['replica/caught_up'] ?? 0;
    await waitUntil('the replica answering after its restart (it rests 5 s after a failure)', async () => {
      await tally();
      return ((await reads())['replica/caught_up'] ?? 0) > replicaBefore ? true : undefined;
    }, 60_000, 500);
    expect((await tally()).progress.tpsReported).toBe(next);
    expect((await health(server.url)).body.readReplica).toMatchObject({ ok: true });
  });

  it('never showed a position going back, by HTTP or by push', () => {
    for (const positions of [shown, watcher!.pushPositions]) {
      for (let i = 1; i < positions.length; i++) expect(comparePositions(positions[i], positions[i - 1]), `${positions[i - 1]} then ${positions[i]}`).toBeGreaterThanOrEqual(0);
    }
    expect(shown.length).toBeGreaterThan(5);
    expect(watcher!.pushPositions.length).toBeGreaterThanOrEqual(5);
  });
});

