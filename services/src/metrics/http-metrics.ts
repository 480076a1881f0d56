import type { FastifyInstance } from 'fastify';
import { httpDuration, httpRequests } from './metrics';

/**
 * Counts and times every answer by route template (`/api/results/:tpsCode/:ballot`, never the
 * raw URL, so the label set stays bounded) as a Fastify hook: it sees what a Nest interceptor
 * would miss (401/403 from the guard, 404 of unknown URLs, framework errors).
 */
export function instrumentHttp(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    httpRequests.inc(labels);
    httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
}
