import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, startOnFreePort } from './server';
import { killOnExit } from './child-processes';

export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops the server (SIGTERM, or SIGKILL for a crash). Nothing is persisted. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  running(): boolean;
  destroy(): Promise<void>;
}


/** A Redis of its own on a free port, as a child process, for tests that stop it: never the shared one. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  let port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    if (child) return;
    output = '';
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (output = (output + d).slice(-8000)));
    proc.stderr!.on('data', (d) => (output = (output + d).slice(-8000)));
    proc.once('exit', () => {
      if (child === proc) child = undefined;
    });
    killOnExit(proc);
    child = proc;
    await waitPong(port, proc, () => output);
  }

  async function stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((ok) => proc.once('exit', () => ok()));
    proc.kill(signal);
    const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    child = undefined;
  }

  await startOnFreePort(start, (p) => (port = p), /Address already in use/);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    running: () => child !== undefined,
    destroy: () => stop('SIGKILL'),
  };
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      data += d;
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

/** Until OUR server says it is ready and answers: a PONG alone may come from another Redis on that port. */
async function waitPong(port: number, proc: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(output().includes('Ready to accept connections') && (await ping(port)))) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`private redis exited:\n${output()}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`private redis not ready within ${timeoutMs} ms\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
