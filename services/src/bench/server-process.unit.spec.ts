import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForService } from './server-process';

/** A child process that serves /health on PORT (0: any) and says so as the service does; or dies when the port is taken. */
function child(port: number) {
  const script = `
    const http = require('node:http');
    const s = http.createServer((req, res) => res.end('{"status":"ok"}'));
    s.on('error', (e) => { console.error(e.message); process.exit(1); });
    s.listen(${port}, '127.0.0.1', () => console.log('suara listening on http://localhost:' + s.address().port + ' (test)'));`;
  const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return { proc, output: () => out };
}

describe('waitForService: the port comes from the process, never from a guess', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => cleanup.splice(0).forEach((f) => f()));

  it('returns the URL of the port the process says it bound, once /health answers there', async () => {
    const c = child(0);
    cleanup.push(() => c.proc.kill('SIGKILL'));
    const url = await waitForService(c.proc, c.output, 10_000);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe('http://127.0.0.1:0');
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'ok' });
  });

  it('fails when the process dies on a taken port, although a stranger answers /health there', async () => {
    const stranger: Server = createServer((_req, res) => res.end('{"status":"ok"}'));
    await new Promise<void>((ok) => stranger.listen(0, '127.0.0.1', ok));
    cleanup.push(() => stranger.close());
    const c = child((stranger.address() as AddressInfo).port);
    cleanup.push(() => c.proc.kill('SIGKILL'));
    await expect(waitForService(c.proc, c.output, 10_000)).rejects.toThrow(/service exited with 1[\s\S]*EADDRINUSE/);
  });
});
