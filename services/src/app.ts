import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import type { AppConfig } from './config';
import { AppModule } from './app.module';
import { ApiErrorFilter } from './http/error.filter';
import { createLogger, PinoNestLogger } from './logger';

/** Largest JSON body accepted: a DPR form with every candidate is a few kB. */
export const BODY_LIMIT = 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
};

/** Builds the whole application for a config; `listen` is the caller's. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel);
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT, trustProxy: config.trustProxy, genReqId: requestId });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    return payload;
  });
  if (!config.roles.includes('command')) {
    // A projector- or live-only replica answers /health and sockets, never the HTTP API.
    fastify.addHook('onRequest', async (req, reply) => {
      if (req.url.startsWith('/api/')) {
        return reply.status(404).send({ error: 'not_found', message: `Proses ini (ROLES=${config.roles.join(',')}) tidak melayani API` });
      }
    });
  }
  if (existsSync(config.dashboardDir)) {
    await app.register(fastifyStatic as never, { root: config.dashboardDir, prefix: '/', index: ['index.html'], wildcard: false });
  }
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();
  return app;
}

/** The caller's X-Request-Id when it is sane, else a fresh one; it goes into every event's metadata. */
function requestId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : randomUUID();
}
