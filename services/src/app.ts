import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from './config';
import { AppModule } from './app.module';
import { ApiErrorFilter } from './http/error.filter';
import { createLogger, PinoNestLogger } from './logger';
import { instrumentHttp } from './metrics/http-metrics';

/** Largest JSON body accepted: a DPR form with every candidate is a few kB. */
export const BODY_LIMIT = 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // blob: for photos fetched with the token and shown from memory (an <img> cannot send a Bearer header).
  // 'self' covers the socket.io WebSocket of the same origin (CSP Level 3: ws/wss of the page's host), and nothing else.
  'content-security-policy': "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** Only over HTTPS (as the trusted proxy says, TRUST_PROXY): browsers then refuse plain HTTP to this host for a year. */
const HSTS = 'max-age=31536000; includeSubDomains';

/** Builds the whole application for a config; `listen` is the caller's. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    genReqId: () => randomUUID(),
    // Errors Fastify raises before any route (a bad URL, a parameter over maxParamLength) in the API's shape, never echoing the URL.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      securityHeaders(req, reply);
      void reply.status(status).send(frameworkErrorBody(status));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  instrumentHttp(fastify);
  fastify.addHook('onSend', async (req, reply, payload) => {
    securityHeaders(req, reply);
    return payload;
  });
  // The request id is always the server's; a client's own id is only logged beside it, never stored in events.
  fastify.addHook('onRequest', async (req) => {
    const given = req.headers['x-request-id'];
    if (typeof given === 'string' && given !== '') req.log.debug({ reqId: req.id, clientRequestId: given.slice(0, 100) }, 'client request id');
  });
  if (!config.roles.includes('command')) {
    // A projector- or live-only replica answers /health and sockets, never the HTTP API.
    fastify.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/api/')) {
        return reply.status(404).send({ error: 'not_found', message: `Proses ini (ROLES=${config.roles.join(',')}) tidak melayani API` });
      }
    });
  }
  // multipart/form-data for photo uploads only: streamed by the route, which sets its own limits
  // (one file of at most 15 MB, see evidence/photo-upload.ts); the JSON body limit stays as it is.
  await app.register(fastifyMultipart as never, { limits: { files: 1, fields: 2, parts: 3, fileSize: 0 } });
  if (existsSync(config.dashboardDir)) {
    await app.register(fastifyStatic as never, { root: config.dashboardDir, prefix: '/', index: ['index.html'], wildcard: false });
  }
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();
  return app;
}

function securityHeaders(req: FastifyRequest, reply: FastifyReply): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
  if (req.protocol === 'https') reply.header('strict-transport-security', HSTS);
  reply.header('x-request-id', req.id);
}

function frameworkErrorBody(status: number): { error: string; message: string } {
  if (status === 414) return { error: 'uri_too_long', message: 'Alamat permintaan terlalu panjang' };
  if (status === 404) return { error: 'not_found', message: 'Alamat tidak ditemukan' };
  return { error: 'invalid_input', message: 'Alamat permintaan tidak sah' };
}
