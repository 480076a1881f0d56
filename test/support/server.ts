import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitForService } from '../../services/src/bench/server-process';

export { freePort };

/**
 * Starts a server of a test's own on a free port: `start` binds `port()`; when it fails with `taken`
 * (a port found free a moment ago was taken by another test's server first), `use` moves to another
 * free port and it tries again, three times at most.
 */
export async function startOnFreePort(start: () => Promise<void>, use: (port: number) => void, taken: RegExp): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt === 3 || !taken.test(String(err))) throw err;
      use(await freePort());
    }
  }
}
/**
 * One token secret for every server a test run starts: processes sharing a database must share it
 * (as every replica is given SUARA_TOKEN_SECRET in production), and a restarted server must accept
 * the tokens it issued before.
 */
/** METRICS_TOKEN of every test server: /health shows its details only with it (or an admin's token). */
export const TEST_METRICS_TOKEN = `test-metrics-${randomBytes(8).toString('hex')}`;
export const TEST_TOKEN_SECRET = `test-token-secret-${randomBytes(16).toString('hex')}`;
export const ROOT = resolve(__dirname, '../..');
export const MAIN = join(ROOT, 'services/dist/main.js');

export interface RunningServer {
  url: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the built service (`services/dist/main.js`, made by `npm test`'s build step) as a real
 * process on a free port with its own data folder, and waits until `/health` answers.
 */
export async function startServer(opts: { env?: Record<string, string>; dataDir?: string; port?: number } = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'suara-test-'));
  const adminUser = opts.env?.SUARA_ADMIN_USER ?? 'admin';
  const adminPassword = opts.env?.SUARA_ADMIN_PASSWORD ?? 'admin-password-test';
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      // 0: the kernel picks a free port and the server says which; a restart asks for its old one.
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SUARA_ADMIN_USER: adminUser,
      SUARA_ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      SUARA_TOKEN_SECRET: TEST_TOKEN_SECRET,
      METRICS_TOKEN: TEST_METRICS_TOKEN,
      SUARA_READ_RATE_PER_MIN: '100000',
      SUARA_VALIDATE_RATE_PER_MIN: '100000',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = await waitForService(child, () => out, 90_000);
  const port = Number(new URL(url).port);
  return {
    url, port, adminUser, adminPassword, dataDir, process: child,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // A graceful stop that hangs must not hang the test: the process gets what docker stop gives.
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
