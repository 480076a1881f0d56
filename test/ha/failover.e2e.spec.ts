import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { SuaraClient } from '@suara/contracts';
import { TallyWatcher } from '../support/live-client';
import { health, KABUPATEN, SubmissionLoad, waitUntil, type Answer } from '../support/reliability';
import { assertNo500, assertNothingLost, checkTallies, createOperators, loginAdmin } from '../support/reliability-checks';
import { startServer, type RunningServer } from '../support/server';
import { startPatroniCluster, TEST_DCS_TIMING, type PatroniCluster } from './patroni-cluster';

/**
 * The service on a real high-availability PostgreSQL: etcd and three Patroni members with
 * synchronous replication, the service given all three hosts in DATABASE_URL. Under a steady load
 * of submissions, postgres is SIGKILLed. The cases share the cluster and run in order: the
 * primary's postmaster alone (its Patroni restarts it in place, holding the leader key: no
 * failover); then the synchronous standby's node (writes go on, the other standby becomes
 * synchronous); then the primary's node, Patroni and postmaster together (the machine is gone: the
 * synchronous standby is promoted).
 */

const SERVICE_ENV = { SUARA_SUBMIT_RATE_PER_MIN: '100000', SUARA_TOKEN_TTL: '86400' };

/** ms from `killedAt` to the first 201 for a request sent after it. */
function firstAcceptedAfter(answers: Answer[], killedAt: number): number | undefined {
  const first = answers.filter((a) => a.status === 201 && a.sentAt >= killedAt).sort((a, b) => a.answeredAt - b.answeredAt)[0];
  return first ? first.answeredAt - killedAt : undefined;
}

/** On failure, what the service, etcd and Patroni said: a failover test is hard to read without it. */
function printLogsOnFailure(server: () => RunningServer | undefined, cluster: () => PatroniCluster | undefined): void {
  onTestFailed(() => {
    console.log(`--- service\n${server()?.output().slice(-6000) ?? ''}`);
    console.log(cluster()?.output() ?? '');
  });
}

describe('high availability: Patroni + etcd, synchronous replication, the service on a multi-host URL', () => {
  let cluster: PatroniCluster | undefined;
  let server: RunningServer | undefined;
  let load: SubmissionLoad | undefined;
  let admin: SuaraClient;
  let watcher: TallyWatcher | undefined;
  let pid: number | undefined;

  beforeAll(async () => {
    cluster = await startPatroniCluster();
    server = await startServer({ env: { ...SERVICE_ENV, DATABASE_URL: cluster.url } });
    pid = server.process.pid;
    admin = await loginAdmin(server);
    watcher = await TallyWatcher.start(server.url, admin.token!, KABUPATEN, 'PPWP');
    load = new SubmissionLoad(server.url, await createOperators(admin, server.url, 'ha', 8), 500);
    load.start();
    await waitUntil('30 submissions answered 201', async () => (load!.count(201) >= 30 ? true : undefined), 120_000, 50);
  }, 240_000);

  afterAll(async () => {
    watcher?.close();
    await load?.stop();
    await server?.stop('SIGKILL');
    await cluster?.destroy();
  });

  it('rides out the primary\'s postmaster SIGKILLed alone: Patroni restarts it in place, the service reconnects', async () => {
    printLogsOnFailure(() => server, () => cluster);
    const c = cluster!;
    const leader = (await c.memberIn('leader'))!;
    const before = load!.count(201);
    const killedAt = c.killPostmaster(leader);
    await waitUntil('20 more submissions answered 201', async () => (load!.count(201) >= before + 20 ? true : undefined), 60_000, 50);
    const ms = firstAcceptedAfter(load!.answers, killedAt);
    console.log(`[ha] postmaster of the primary ${leader.name} SIGKILLed: restarted in place, first 201 after ${ms} ms`);
    expect((await c.roles())[leader.name]).toBe('leader');
    await waitUntil('a synchronous standby again', async () => (Object.values(await c.roles()).includes('sync_standby') ? true : undefined), 60_000, 250);
    assertNo500(load!);
  }, 120_000);

  it('keeps accepting submissions when the synchronous standby dies: the other replica becomes synchronous', async () => {
    printLogsOnFailure(() => server, () => cluster);
    const c = cluster!;
    const sync = (await c.memberIn('sync_standby'))!;
    const leader = (await c.memberIn('leader'))!;
    const before = load!.count(201);
    const killedAt = c.killNode(sync);
    await waitUntil('20 more submissions answered 201', async () => (load!.count(201) >= before + 20 ? true : undefined), 60_000, 50);
    const roles = await waitUntil('the other replica to become the synchronous standby', async () => {
      const r = await c.roles();
      return Object.entries(r).some(([name, role]) => role === 'sync_standby' && name !== sync.name) ? r : undefined;
    }, 60_000, 250);
    expect(roles[leader.name]).toBe('leader');
    const ms = firstAcceptedAfter(load!.answers, killedAt);
    console.log(`[ha] synchronous standby ${sync.name} SIGKILLed: first 201 after ${ms} ms`);
    expect(ms).toBeLessThan(15_000);
    assertNo500(load!);
  }, 120_000);

  it('fails over when the primary dies: 503 meanwhile, then writes on the promoted standby, nothing acknowledged lost, no restart', async () => {
    printLogsOnFailure(() => server, () => cluster);
    const c = cluster!;
    const leader = (await c.memberIn('leader'))!;
    const sync = (await c.memberIn('sync_standby'))!;
    const killedAt = c.killNode(leader);
    const before = load!.count(201);

    await waitUntil('Patroni to promote the synchronous standby', async () => ((await c.roles())[sync.name] === 'leader' ? true : undefined), 60_000, 100);
    const promotedMs = Date.now() - killedAt;
    await waitUntil('30 more submissions answered 201 on the new primary', async () => (load!.count(201) >= before + 30 ? true : undefined), 90_000, 50);
    const firstMs = firstAcceptedAfter(load!.answers, killedAt)!;
    const refused = load!.answers.filter((a) => a.sentAt >= killedAt && (a.status === 503 || a.status === 0));
    console.log(
      `[ha] primary ${leader.name} SIGKILLed (ttl ${TEST_DCS_TIMING.ttl} s, loop_wait ${TEST_DCS_TIMING.loop_wait} s): ` +
        `${sync.name} promoted after ${promotedMs} ms, first 201 after ${firstMs} ms; ${refused.filter((a) => a.status === 503).length} answers 503 meanwhile`,
    );
    expect(firstMs).toBeLessThan(30_000);
    await load!.stop();

    // The same process throughout, answering 503 (never 500) while there was no primary.
    expect(server!.process.pid).toBe(pid);
    expect(server!.process.exitCode).toBeNull();
    expect(refused.every((a) => a.status === 503 || a.status === 0)).toBe(true);
    assertNo500(load!);
    await waitUntil('GET /health to be ok', async () => ((await health(server!.url)).status === 200 ? true : undefined), 60_000);

    // Every 201 is stored and counted, and `suara check` (on the multi-host URL) finds the tallies true.
    await assertNothingLost(server!, load!, () => checkTallies({ DATABASE_URL: c.url }));
    // The live push carried on across the failover: the dashboard shows every stored result.
    const stored = (await admin.tally(KABUPATEN, 'PPWP')).progress.tpsReported;
    await waitUntil('the dashboard to show every stored TPS', async () => (watcher!.latest?.progress.tpsReported === stored ? true : undefined), 60_000);
  }, 300_000);
});
