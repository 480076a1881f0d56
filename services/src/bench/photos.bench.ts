import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BALLOTS } from '@suara/contracts';
import { renderSheetPhoto } from '../simulator/sheet-photo';
import { operatorTokens } from './accounts';
import { cpuMeter, ownCpuMeter, type CpuShares } from './cpu-meter';
import { freePort } from './server-process';
import { startPostgresService } from './service-fixture';
import { lanes, quantile, sleep } from './stats';

export interface PhotoStoreResult {
  store: 'disk' | 's3';
  photosPerSec: number;
  megabytesPerSec: number;
  uploaded: number;
  seconds: number;
  averageBytes: number;
  p50Ms: number;
  p99Ms: number;
  failures: Record<string, number>;
  firstFailure?: string;
  /** Resident memory of the service process (MB): before the load, highest seen during it, after it; and the kernel's high-water mark. */
  memory: { beforeMb: number; maxMb: number; afterMb: number; highWaterMb: number };
  cpu: CpuShares | null;
  generatorCpuPercent: number;
}

export interface PhotosResult {
  concurrency: number;
  results: PhotoStoreResult[];
}

const MB = 1024 * 1024;

/**
 * Realistic phone photos of a C.Hasil sheet: 4000 × 3000 px, camera-like noise and EXIF with GPS,
 * about 3 MB each (a phone's 12 MP JPEG). A few are rendered once; every upload gets its own bytes
 * (and so its own SHA-256) from a JPEG comment segment inserted after the start marker.
 */
async function basePhotos(count: number): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      renderSheetPhoto({
        title: `C.HASIL PPWP — bench ${i + 1}`,
        lines: Array.from({ length: 12 }, (_, k) => `Baris ${k + 1} ........ ${(i * 37 + k * 11) % 300}`),
        width: 4000, height: 3000, quality: 92, noise: 45, exif: { gps: true },
      }),
    ),
  );
}

/** `jpeg` with a COM segment carrying `label` right after SOI: a different, still valid JPEG. */
export function withComment(jpeg: Buffer, label: string): Buffer {
  const text = Buffer.from(label, 'utf8');
  const segment = Buffer.alloc(4 + text.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  text.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** s3rver in its own process on a free port (its CPU is then not the load generator's). */
async function startS3Process(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, '../evidence/s3-test-server.main.js')], {
    env: { PATH: process.env.PATH ?? '', S3_TEST_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('listening')) ok();
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => fail(new Error(`s3rver exited with ${code}: ${out}`)));
  });
  await ready;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * Photo uploads through the service (multipart streamed to staging with SHA-256, 15 MB cap, full
 * decode and thumbnail by sharp, blob stored, PhotoAttached appended), `concurrency` at a time for
 * `seconds`, once with the photos on disk and once on an S3 server (s3rver, in its own process).
 * Reports photos/s, MB/s, latency and the service's memory during the load.
 */
export async function measurePhotos(
  serverUrl: string, labuselDir: string, opts: { seconds: number; concurrency: number; warmupSeconds: number }, log: (m: string) => void,
): Promise<PhotosResult> {
  log('  photos: rendering realistic 3 MB sheet photos (4000×3000, noise, EXIF with GPS)…');
  const bases = await basePhotos(3);
  log(`  photos: ${bases.map((b) => `${(b.length / MB).toFixed(2)} MB`).join(', ')}`);
  const results: PhotoStoreResult[] = [];
  for (const store of ['disk', 's3'] as const) {
    const s3 = store === 's3' ? await startS3Process() : undefined;
    try {
      const env: Record<string, string> = {
        SUARA_PHOTO_RATE_PER_MIN: '100000000',
        ...(s3 ? { S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'suara-bench', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' } : {}),
      };
      results.push(await measureStore(serverUrl, labuselDir, store, env, bases, opts, log));
    } finally {
      await s3?.stop();
    }
  }
  return { concurrency: opts.concurrency, results };
}

async function measureStore(
  serverUrl: string, labuselDir: string, store: 'disk' | 's3', env: Record<string, string>, bases: Buffer[],
  opts: { seconds: number; concurrency: number; warmupSeconds: number }, log: (m: string) => void,
): Promise<PhotoStoreResult> {
  const fx = await startPostgresService(serverUrl, labuselDir, `photos_${store}`, 2000, undefined, env);
  try {
    const tokens = await operatorTokens(fx.service.url, fx.admin, [...fx.election.desa.keys()], 8);
    // One photo per result: (TPS, ballot) pairs in turn.
    const targets = fx.election.tps.flatMap((t) => BALLOTS.map((ballot) => ({ tpsCode: t.code, ballot, token: tokens.get(t.desaCode)! })));
    const pid = fx.service.pid;
    const latencies: number[] = [];
    const failures: Record<string, number> = {};
    let firstFailure: string | undefined;
    let uploaded = 0;
    let bytes = 0;
    let next = 0;
    const windowStart = performance.now() + opts.warmupSeconds * 1000;
    const windowEnd = windowStart + opts.seconds * 1000;
    const beforeMb = rssMb(pid, 'VmRSS');
    let maxMb = beforeMb;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxMb = Math.max(maxMb, rssMb(pid, 'VmRSS'));
        await sleep(100);
      }
    })();
    log(`  photos (${store}): service up in ${(fx.service.bootMs / 1000).toFixed(1)} s, RSS ${beforeMb.toFixed(0)} MB; ${opts.concurrency} uploads in flight for ${opts.seconds} s`);
    const generatorCpu = ownCpuMeter();
    let meter: { stop(): CpuShares | null } | undefined;
    await lanes(opts.concurrency, async () => {
      const now = performance.now();
      if (now >= windowEnd) return false;
      if (!meter && now >= windowStart) meter = cpuMeter([pid]);
      const i = next++;
      const target = targets[i % targets.length];
      const photo = withComment(bases[i % bases.length], `bench ${store} ${i}`);
      const form = new FormData();
      form.append('page', '1');
      form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'chasil.jpg');
      const sent = performance.now();
      const res = await fetch(`${fx.service.url}/api/results/${target.tpsCode}/${target.ballot}/photos`, {
        method: 'POST', headers: { authorization: `Bearer ${target.token}` }, body: form,
      });
      const text = await res.text();
      const done = performance.now();
      if (res.status === 201) {
        if (done >= windowStart && done <= windowEnd) {
          uploaded++;
          bytes += photo.length;
          latencies.push(done - sent);
        }
      } else {
        failures[res.status] = (failures[res.status] ?? 0) + 1;
        firstFailure ??= `${res.status} ${text.slice(0, 300)}`;
      }
      return true;
    });
    const cpu = meter?.stop() ?? null;
    const generatorCpuPercent = generatorCpu.stop();
    sampling = false;
    await sampler;
    const seconds = opts.seconds;
    const result: PhotoStoreResult = {
      store, photosPerSec: uploaded / seconds, megabytesPerSec: bytes / MB / seconds, uploaded, seconds,
      averageBytes: uploaded ? bytes / uploaded : 0, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99),
      failures, firstFailure,
      memory: { beforeMb, maxMb, afterMb: rssMb(pid, 'VmRSS'), highWaterMb: rssMb(pid, 'VmHWM') },
      cpu, generatorCpuPercent,
    };
    log(`  photos (${store}): ${uploaded} uploaded, ${result.photosPerSec.toFixed(1)}/s, p99 ${result.p99Ms.toFixed(0)} ms, RSS max ${maxMb.toFixed(0)} MB`);
    return result;
  } finally {
    await fx.close();
  }
}
