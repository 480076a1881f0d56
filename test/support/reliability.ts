import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SuaraClient, type HealthView, type TallyView } from '@suara/contracts';
import { ROOT, TEST_METRICS_TOKEN } from './server';
import { ppwpForm } from './app';

export const KABUPATEN = '1222';
export const CLI = join(ROOT, 'services/dist/cli.js');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` with `what`. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built operations CLI (`node services/dist/cli.js …`) with only the given database settings. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
    const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...base, LOG_LEVEL: 'warn', ...env }, timeout: 300_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `GET /health` with its details (the metrics token), whatever its status. */
export async function health(url: string): Promise<{ status: number; body: Required<HealthView>; retryAfter: string | null }> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(15_000), headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as Required<HealthView>, retryAfter: res.headers.get('retry-after') };
}

/** Waits until the store answers and the projection has caught up with its head. */
export async function waitForProjection(url: string, timeoutMs = 90_000): Promise<HealthView> {
  return waitUntil(
    'the projection to catch up',
    async () => {
      const h = await health(url);
      return h.status === 200 && h.body.projection.lag === 0 && h.body.projection.position === h.body.eventStore.position ? h.body : undefined;
    },
    timeoutMs,
  );
}

/** The desa of the kabupaten with their TPS codes, in master-data order. */
export async function desaList(admin: SuaraClient, region = KABUPATEN): Promise<Array<{ code: string; tps: string[] }>> {
  const out: Array<{ code: string; tps: string[] }> = [];
  const kab = await admin.region(region);
  for (const kec of kab.children) {
    const k = await admin.region(kec.code);
    for (const desa of k.children) {
      out.push({ code: desa.code, tps: Array.from({ length: desa.tpsCount }, (_, i) => `${desa.code}${String(i + 1).padStart(3, '0')}`) });
    }
  }
  return out;
}

/** A deterministic, consistent PPWP form per TPS (no option over 300, so nothing is flagged). */
export function formFor(tpsCode: string) {
  const n = Number(tpsCode.slice(-5));
  return ppwpForm({ '01': (n * 7) % 97, '02': (n * 13) % 151, '03': (n * 3) % 41 }, n % 5);
}

export interface Answer {
  tpsCode: string;
  clientRequestId: string;
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  retryAfter: string | null;
  body: unknown;
  error?: string;
  /** The operator's token, for retrying as that operator. */
  token: string;
  /** When the request was sent and when its answer came (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
}

export interface Operator {
  client: SuaraClient;
  tps: string[];
}

/**
 * A steady load of submissions: each operator submits its TPS one after the other over HTTP. Like a
 * real client it retries the SAME request (same clientRequestId) after a 503 or a failed
 * connection, and moves on after any other answer. Every answer is recorded.
 */
export class SubmissionLoad {
  readonly answers: Answer[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly runId = Math.random().toString(36).slice(2, 8);

  /** `pauseMs`: each operator waits this long between submissions (a steady load, not a flood). */
  constructor(private url: string, private readonly operators: Operator[], private readonly pauseMs = 0) {}

  /** Sends the rest of the load to another address (a restarted server). */
  retarget(url: string) {
    this.url = url;
  }

  start(): void {
    this.loops = this.operators.map((op, i) => this.run(op, i));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  count(status: number): number {
    return this.answers.filter((a) => a.status === status).length;
  }

  /** The TPS answered 201, with that answer. */
  created(): Map<string, Answer> {
    return new Map(this.answers.filter((a) => a.status === 201).map((a) => [a.tpsCode, a]));
  }

  /** Every TPS a request was sent for, with its clientRequestId. */
  attempted(): Map<string, string> {
    return new Map(this.answers.map((a) => [a.tpsCode, a.clientRequestId]));
  }

  private async run(op: Operator, index: number): Promise<void> {
    for (const tpsCode of op.tps) {
      const clientRequestId = `load-${this.runId}-${index}-${tpsCode}`;
      for (;;) {
        if (this.stopped) return;
        const answer = await submitOnce(this.url, op.client.token!, tpsCode, clientRequestId);
        this.answers.push(answer);
        if (answer.status !== 0 && answer.status !== 503) break;
        await sleep(100);
      }
      if (this.pauseMs > 0) await sleep(this.pauseMs);
    }
  }
}

export async function submitOnce(url: string, token: string, tpsCode: string, clientRequestId: string): Promise<Answer> {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${url}/api/results`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ tpsCode, ballot: 'PPWP', clientRequestId, form: formFor(tpsCode) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    return { tpsCode, clientRequestId, status: res.status, retryAfter: res.headers.get('retry-after'), body, token, sentAt, answeredAt: Date.now() };
  } catch (err) {
    return { tpsCode, clientRequestId, status: 0, retryAfter: null, body: undefined, error: String((err as Error)?.cause ?? err), token, sentAt, answeredAt: Date.now() };
  }
}

/** Sum of the stored forms of these results, as the kabupaten tally must show it. */
export function expectedTotals(forms: Array<ReturnType<typeof formFor>>): Pick<TallyView, 'totals'>['totals'] {
  const votes: Record<string, number> = {};
  let valid = 0;
  let invalid = 0;
  for (const f of forms) {
    for (const [k, v] of Object.entries(f.votes)) votes[k] = (votes[k] ?? 0) + v;
    valid += f.valid;
    invalid += f.invalid;
  }
  return { votes, valid, invalid };
}

export { postgresSuiteGuard } from '../../services/src/db/test-support/test-database';
