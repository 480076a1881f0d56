import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuaraClient, type Ballot, type Totals } from '@suara/contracts';
import { ROOT, startServer, type RunningServer } from './support/server';

const run = promisify(execFile);

describe('election-day simulator against a real server', { timeout: 400_000 }, () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.stop());
  let signedIn: SuaraClient | undefined;
  async function officialClient(): Promise<SuaraClient> {
    if (!signedIn) {
      signedIn = new SuaraClient(server.url);
      await signedIn.login(server.adminUser, server.adminPassword);
    }
    return signedIn;
  }

  it('plays a short evening with mistakes and the verifier bot, and the tallies add up', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        join(ROOT, 'services/dist/simulator/simulate.js'),
        '--url', server.url, '--admin-user', server.adminUser, '--admin-password', server.adminPassword,
        '--tps-limit', '40', '--ballots', 'PPWP,DPR,DPRD_KAB', '--speed', 'max', '--mistakes', '0.2',
        '--verifier-bot', '--draw-sample', '20', '--seed', 'uji-simulasi', '--json', '--quiet', '--photos', '0.5',
        '--as-written', '0.1', '--on-behalf', '0.1',
      ],
      { cwd: ROOT, timeout: 380_000 },
    );
    const summary = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(summary.problems).toEqual([]);
    expect(summary.planned).toBe(120);
    expect(summary.accepted).toBe(120);
    expect(summary.mistakes.planned).toBeGreaterThan(0);
    expect(summary.mistakes.acceptedButMustBeRejected).toBe(0);
    // Issue 15: papers that do not add up were refused, then stored as written; unreachable operators' forms entered on behalf.
    expect(summary.realForm.paperSlips).toBeGreaterThan(0);
    expect(summary.realForm.storedAsWritten).toBe(summary.realForm.paperSlips);
    expect(summary.realForm.onBehalfPlanned).toBeGreaterThan(0);
    expect(summary.realForm.onBehalfStored).toBe(summary.realForm.onBehalfPlanned);
    expect(summary.http['500'] ?? 0).toBe(0);
    // Both ballots checked (none skipped), every kabupaten and kecamatan total against the sums of what the simulator sent.
    expect(summary.tallies.map((t: { ballot: string; ok: boolean; skipped?: string }) => [t.ballot, t.ok, t.skipped])).toEqual([
      ['PPWP', true, undefined], ['DPR', true, undefined], ['DPRD_KAB', true, undefined],
    ]);
    // Issue 15: every dapil with results checked against the simulator's own sums — DPR's one dapil (not whole here: no
    // seats), and the DPRD Labusel dapils played, each with Sainte-Laguë over its own party totals as the projection.
    type DapilCheck = { ballot: string; dapil: string; tps: number; ok: boolean; diffs: string[]; seats?: Array<{ party: string; seats: number }> };
    const dapils = summary.dapils as DapilCheck[];
    expect(dapils.filter((d) => d.ballot === 'DPR').map((d) => [d.dapil, d.tps, d.ok, d.seats])).toEqual([['DPR-SUMUT-2', 40, true, undefined]]);
    const kab = dapils.filter((d) => d.ballot === 'DPRD_KAB');
    expect(kab.length).toBeGreaterThan(1);
    expect(kab.reduce((n, d) => n + d.tps, 0)).toBe(40);
    for (const d of kab) {
      expect(d, d.diffs.join('; ')).toMatchObject({ ok: true, diffs: [] });
      const view = await (await officialClient()).dapilTally(d.dapil, 'DPRD_KAB');
      expect(view.seats?.map((s) => ({ party: s.party, seats: s.seats }))).toEqual(d.seats);
      expect(d.seats!.reduce((n, s) => n + s.seats, 0)).toBe(view.dapil.seats);
    }
    // The printed report (stderr with --json) carries the check, line by line.
    for (const d of kab) expect(stderr).toContain(`dapil DPRD_KAB ${d.dapil} (${d.tps} TPS): adds up · seats `);
    expect(stderr).toContain('dapil DPR DPR-SUMUT-2 (40 TPS): adds up · no seat projection (dapil not whole here)');
    // Photos of the sheets at about half the TPS, some before the numbers; the tally counts those TPS.
    expect(summary.photos.tps).toBeGreaterThan(5);
    expect(summary.photos.attached).toBeGreaterThanOrEqual(summary.photos.tps);
    expect(summary.photos.beforeNumbers).toBeGreaterThan(0);
    expect(summary.photos.failed).toBe(0);
    expect(summary.photos.tpsWithPhoto.actual).toBe(summary.photos.tpsWithPhoto.expected);
    expect(summary.photos.tpsWithPhoto.expected).toBeGreaterThan(0);
    // Independently of the simulator's own verdict: the server's tallies show what was accepted.
    const official = await officialClient();
    for (const { ballot, expected } of summary.tallies as Array<{ ballot: Ballot; expected: Totals }>) {
      const tally = await official.tally('1222', ballot);
      expect(tally.progress.tpsReported).toBe(40);
      // Every key, DPR's parties, party-only votes and candidates included: the sums of the forms the simulator had accepted.
      expect(tally.totals).toEqual(expected);
      if (ballot === 'DPR') expect(Object.keys(expected.votes).some((k) => /^\d+\.c\d+$/.test(k) && expected.votes[k] > 0)).toBe(true);
    }
    expect((await official.tally('1222', 'PPWP')).progress.tpsVerified).toBeGreaterThan(0);
    const anomalies = await official.anomalies('PPWP');
    expect(Array.isArray(anomalies)).toBe(true);
    expect((await official.quickcount('PPWP')).sample.received).toBeGreaterThan(0);
  });
});
