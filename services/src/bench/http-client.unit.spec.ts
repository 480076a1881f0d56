import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KeepAliveClient } from './http-client';

/**
 * An echo server: answers 201 with the request's body and auth header and a Content-Length (as
 * Fastify does); `/close` answers 400 and closes the connection; `/chunked` answers without a length.
 */
async function echoServer(): Promise<{ url: string; sockets: () => number; server: Server }> {
  const seen = new Set<unknown>();
  const server = createServer((req, res) => {
    seen.add(req.socket);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({ got: JSON.parse(Buffer.concat(chunks).toString()), auth: req.headers.authorization });
      if (req.url === '/chunked') return res.writeHead(200).end(body);
      const close = req.url === '/close' ? { connection: 'close' } : {};
      res.writeHead(close.connection ? 400 : 201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...close });
      res.end(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets: () => seen.size, server };
}

describe('KeepAliveClient (the load generator)', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));

  it('answers every request with its own status and body, over at most maxConnections sockets', async () => {
    const echo = await echoServer();
    server = echo.server;
    const client = new KeepAliveClient(echo.url, 3);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => client.post('/x', `t${i}`, JSON.stringify({ i, text: 'é'.repeat(i) }))));
    client.close();
    answers.forEach((a, i) => {
      expect(a.status).toBe(201);
      expect(JSON.parse(a.body)).toEqual({ got: { i, text: 'é'.repeat(i) }, auth: `Bearer t${i}` });
    });
    expect(echo.sockets()).toBeLessThanOrEqual(3);
  });

  it('goes on over a new connection when the server closed one', async () => {
    const echo = await echoServer();
    server = echo.server;
    const client = new KeepAliveClient(echo.url, 1);
    expect((await client.post('/close', 't', '{"a":1}')).status).toBe(400);
    const next = await client.post('/x', 't', '{"a":2}');
    client.close();
    expect(next.status).toBe(201);
    expect(JSON.parse(next.body).got).toEqual({ a: 2 });
    expect(echo.sockets()).toBe(2);
  });

  it('fails a request clearly when the answer has no Content-Length', async () => {
    const echo = await echoServer();
    server = echo.server;
    const client = new KeepAliveClient(echo.url, 1);
    await expect(client.post('/chunked', 't', '{}')).rejects.toThrow(/answer without content-length/);
    client.close();
  });
});
