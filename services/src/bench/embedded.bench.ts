import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BALLOTS, type BallotSheet } from '@suara/contracts';
import { loadMasterData } from '../election/master-data';
import { adminClient, operatorTokens, serviceEnv } from './accounts';
import { validForm } from './forms';
import { KeepAliveClient } from './http-client';
import { waitForTallies } from './service-fixture';
import { startService } from './server-process';
import { lanes, seededRandom } from './stats';

export interface EmbeddedResult {
  /** First submission sent → every submission accepted and counted in the kabupaten tallies (scaled to all TPS when only some were sent). */
  labuselSeconds: number;
  /** The unscaled time for the TPS actually sent. */
  measuredSeconds: number;
  /** True when fewer than all TPS were sent (`--quick`) and labuselSeconds is extrapolated. */
  extrapolated: boolean;
  allTps: number;
  /** First submission sent → last 201. */
  acceptSeconds: number;
  submissions: number;
  tps: number;
  failures: number;
  firstFailure?: string;
  concurrency: number;
  bootSeconds: number;
}

/**
 * The embedded deployment: a fresh service on PGlite (no DATABASE_URL) with the real Labusel
 * master data; every TPS submits all five ballots over HTTP. Timed from the first request until
 * the kabupaten tally of every ballot counts all 1,025 TPS.
 */
export async function measureEmbedded(labuselDir: string, log: (m: string) => void, opts: { tpsLimit?: number; concurrency?: number } = {}): Promise<EmbeddedResult> {
  const concurrency = opts.concurrency ?? 32;
  const tmp = mkdtempSync(join(tmpdir(), 'suara-bench-embedded-'));
  const service = await startService(serviceEnv({ DATA_DIR: tmp, ELECTION_DATA: labuselDir }));
  const client = new KeepAliveClient(service.url, concurrency);
  try {
    const { config, tps: allTps } = loadMasterData(labuselDir);
    // A spread subset (every k-th TPS) when limited, so every kecamatan and dapil still takes part.
    const step = opts.tpsLimit && opts.tpsLimit < allTps.length ? allTps.length / opts.tpsLimit : 1;
    const tps = step === 1 ? allTps : Array.from({ length: opts.tpsLimit! }, (_, i) => allTps[Math.floor(i * step)]);
    log(`  embedded: PGlite service up in ${(service.bootMs / 1000).toFixed(1)} s; preparing ${tps.length} × ${BALLOTS.length} forms`);
    const admin = await adminClient(service.url);
    const desa = [...new Set(tps.map((t) => t.desaCode))];
    const tokens = await operatorTokens(service.url, admin, desa, 8);
    // Ballot sheets differ by dapil (kecamatan): ask the service for one TPS per desa.
    const sheets = new Map<string, BallotSheet[]>();
    for (const d of desa) sheets.set(d, await admin.tpsBallots(tps.find((t) => t.desaCode === d)!.code));
    const rnd = seededRandom(17);
    const work = tps.flatMap((t) =>
      sheets.get(t.desaCode)!.map((sheet) => ({
        token: tokens.get(t.desaCode)!,
        json: JSON.stringify({ tpsCode: t.code, ballot: sheet.ballot, clientRequestId: randomUUID(), form: validForm(sheet, rnd) }),
      })),
    );
    let next = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    const started = performance.now();
    await lanes(concurrency, async () => {
      const item = work[next++];
      if (!item) return false;
      const res = await client.post('/api/results', item.token, item.json);
      if (res.status !== 201) {
        failures++;
        firstFailure ??= `${res.status} ${res.body.slice(0, 300)}`;
      }
      return true;
    });
    const acceptSeconds = (performance.now() - started) / 1000;
    if (firstFailure) log(`  embedded: ${failures} submissions failed, first: ${firstFailure}`);
    await waitForTallies(admin, config.kabupatenCode, BALLOTS, tps.length);
    const measuredSeconds = (performance.now() - started) / 1000;
    return {
      labuselSeconds: (measuredSeconds * allTps.length) / tps.length,
      measuredSeconds,
      extrapolated: tps.length < allTps.length,
      allTps: allTps.length,
      acceptSeconds,
      submissions: work.length,
      tps: tps.length,
      failures,
      firstFailure,
      concurrency,
      bootSeconds: service.bootMs / 1000,
    };
  } finally {
    client.close();
    await service.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
