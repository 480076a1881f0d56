import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The built service entry (`services/dist/main.js`), next to this file's folder once compiled. */
export const MAIN_JS = resolve(__dirname, '../main.js');

export interface ServiceProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn until `/health` answered 200. */
  bootMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
    srv.on('error', fail);
  });
}

/**
 * Runs the service under test in its own process, so the load generator and the dashboards
 * (this process) do not share its event loop: on two cores the service gets one to itself while
 * PostgreSQL and the generator share the other, as operators' phones and officials' browsers are
 * other machines in production. `entry` is another script to run that way (the bench's bare
 * Fastify floor).
 */
export async function startService(env: Record<string, string>, timeoutMs = 180_000, entry = MAIN_JS): Promise<ServiceProcess> {
  const port = await freePort();
  const started = performance.now();
  // e.g. SUARA_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service under load.
  const nodeArgs = (process.env.SUARA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...baseEnv(), LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => out, timeoutMs);
  return {
    url,
    pid: child.pid!,
    bootMs: performance.now() - started,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * Only what a process needs to run: the service's own settings (DATABASE_URL, ROLES, REDIS_URL, …)
 * in the bench's environment must not leak into the deployment being measured.
 */
function baseEnv(): Record<string, string> {
  // SUARA_SEAL_INTERVAL: to measure the cost of sealing more often than the default.
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'NODE_OPTIONS', 'SUARA_SEAL_INTERVAL'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!]));
}

/** Waits until the process answers `GET /health` (used by the bench and by the tests' server helper). */
export async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become healthy within ${timeoutMs} ms:\n${output()}`);
}
