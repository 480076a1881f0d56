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
  const started = performance.now();
  // e.g. SUARA_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the service under load.
  const nodeArgs = (process.env.SUARA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { ...baseEnv(), LOG_LEVEL: 'warn', ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = await waitForService(child, () => out, timeoutMs);
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

/** "… listening on http://localhost:PORT": the line the service (and the bench's floor) prints once bound. */
const LISTENING = /listening on http:\/\/localhost:(\d+)/;

/**
 * Waits until the process says which port it bound, then until it answers `GET /health` there, and
 * returns its URL (used by the bench and by the tests' server helper). The port comes from the
 * process itself, never from a guess made before it started: with many servers starting at once, a
 * port found free a moment earlier can be taken by another, and polling it would then reach a
 * stranger's /health while ours died of EADDRINUSE.
 */
export async function waitForService(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited with ${child.exitCode ?? child.signalCode}:\n${output()}`);
    const port = LISTENING.exec(output())?.[1];
    url ??= port === undefined ? undefined : `http://127.0.0.1:${port}`;
    if (url && (await fetch(`${url}/health`).then((r) => r.ok, () => false))) return url;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become healthy within ${timeoutMs} ms:\n${output()}`);
}
