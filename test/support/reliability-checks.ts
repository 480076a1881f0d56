import { expect } from 'vitest';
import { SuaraClient } from '@suara/contracts';
import { desaList, expectedTotals, formFor, KABUPATEN, runCli, submitOnce, waitUntil, type Operator, type SubmissionLoad } from './reliability';
import type { RunningServer } from './server';

/** What the crash and failover tests assert about a load of submissions: nothing acknowledged is lost. */
const OPERATORS = 12;

export async function loginAdmin(server: RunningServer): Promise<SuaraClient> {
  const admin = new SuaraClient(server.url);
  await admin.login(server.adminUser, server.adminPassword);
  return admin;
}

/** `count` operators, each scoped to two desa, all logged in. */
export async function createOperators(admin: SuaraClient, url: string, tag: string, count = OPERATORS): Promise<Operator[]> {
  const desa = await desaList(admin);
  const ops: Operator[] = [];
  for (let i = 0; i < count; i++) {
    const mine = [desa[2 * i], desa[2 * i + 1]];
    const username = `op-${tag}-${i}`;
    await admin.createUser({ username, password: `Uji-Sandi-Kuat-${username}`, role: 'operator', scope: mine.map((d) => d.code) });
    const client = new SuaraClient(url);
    await client.login(username, `Uji-Sandi-Kuat-${username}`);
    ops.push({ client, tps: mine.flatMap((d) => d.tps) });
  }
  return ops;
}

/**
 * What must hold once the service runs again: each 201 is stored with its form, the tallies equal
 * the stored results and the recomputation from the events (CLI `check`), and retries get 200.
 */
export async function assertNothingLost(server: RunningServer, load: SubmissionLoad, check: () => Promise<void>): Promise<void> {
  const admin = await loginAdmin(server);
  const created = load.created();
  expect(created.size).toBeGreaterThan(0);

  const stored = new Map<string, ReturnType<typeof formFor>>();
  for (const tpsCode of load.attempted().keys()) {
    const r = await admin.result(tpsCode, 'PPWP');
    if (r.status !== 'empty') stored.set(tpsCode, r.form as ReturnType<typeof formFor>);
  }
  for (const [tpsCode] of created) {
    expect(stored.has(tpsCode), `${tpsCode} was answered 201 but is not stored`).toBe(true);
    expect(stored.get(tpsCode)).toEqual(formFor(tpsCode));
  }

  // The projection shows every stored result (it may trail while other transactions run on the server).
  const tally = await waitUntil('the tallies to show every stored result', async () => {
    const t = await admin.tally(KABUPATEN, 'PPWP');
    return t.progress.tpsReported === stored.size ? t : undefined;
  }, 120_000);
  const want = expectedTotals([...stored.values()]);
  expect(tally.progress.tpsReported).toBe(stored.size);
  expect(tally.totals.valid).toBe(want.valid);
  expect(tally.totals.invalid).toBe(want.invalid);
  for (const [option, votes] of Object.entries(want.votes)) expect(tally.totals.votes[option]).toBe(votes);

  for (const [tpsCode, first] of created) {
    const retry = await submitOnce(server.url, first.token, tpsCode, first.clientRequestId);
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body).toEqual(first.body);
  }
  await check();
}

/** `suara check` on that database: the tallies equal the recomputation from the events. */
export async function checkTallies(env: Record<string, string>): Promise<void> {
  const check = await runCli(['check'], env);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(check.stdout).toMatch(/tallies match the events/);
}

export function assertNo500(load: SubmissionLoad) {
  const faults = load.answers.filter((a) => a.status >= 500 && a.status !== 503);
  expect(faults.map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  for (const a of load.answers.filter((x) => x.status === 503)) expect(a.retryAfter, JSON.stringify(a.body)).toMatch(/^\d+$/);
  const refused = load.answers.filter((a) => a.status >= 400 && a.status < 500);
  expect(refused.map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
}
