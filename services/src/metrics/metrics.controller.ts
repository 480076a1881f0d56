import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config';
import { ApiError } from '../http/api-error';
import { Public } from '../identity/auth.decorators';
import { bearerToken } from '../identity/auth.guard';
import { LiveGateway } from '../live/live.gateway';
import { ApiDoc } from '../openapi/api-doc';
import { ProjectionHealth } from '../projections/projection-health';
import { isMetricsToken } from './metrics-token';
import { liveRooms, liveSockets, metricsRegistry, projectionLagEvents, projectionLagSeconds } from './metrics';

/**
 * `GET /metrics`: Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>` (401
 * otherwise, and always when no METRICS_TOKEN is set). Served by every process whatever its
 * ROLES, so Prometheus scrapes each replica.
 */
@Controller()
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projection: ProjectionHealth,
    private readonly live: LiveGateway,
  ) {}

  @Get('metrics')
  @Public()
  @ApiDoc({
    summary: 'Prometheus metrics of this process (Bearer METRICS_TOKEN)',
    response: { contentType: 'text/plain; version=0.0.4' },
    errors: [401],
  })
  async metrics(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!isMetricsToken(bearerToken(req.headers.authorization), this.config.metricsToken)) {
      throw new ApiError(401, 'unauthenticated', 'Metrik hanya dengan METRICS_TOKEN');
    }
    await this.sample();
    void reply.type(metricsRegistry.contentType).header('cache-control', 'no-store').send(await metricsRegistry.metrics());
  }

  /** The gauges that describe a state, read now. A failed read leaves the gauge as it was (/health says why). */
  private async sample(): Promise<void> {
    await this.projection.status().then(
      (s) => {
        projectionLagEvents.set(s.lag);
        projectionLagSeconds.set(s.lagSeconds);
      },
      () => undefined,
    );
    const live = this.live.stats();
    liveSockets.set(live.sockets);
    for (const [kind, n] of Object.entries(live.rooms)) liveRooms.set({ kind }, n);
  }
}
