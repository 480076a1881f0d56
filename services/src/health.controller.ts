import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HealthView } from '@suara/contracts';
import { APP_CONFIG, type AppConfig } from './config';
import { EVENT_STORE, SQL_DATABASE } from './db/tokens';
import type { SqlDatabase } from './db/sql';
import type { EventStore } from './eventstore/event-store.port';
import { bearerToken } from './identity/auth.guard';
import { Public } from './identity/auth.decorators';
import { TokenService } from './identity/token.service';
import { isMetricsToken } from './metrics/metrics-token';
import { ApiDoc } from './openapi/api-doc';
import { SealerService } from './integrity/sealer.service';
import { TallyReader } from './db/read-replica';
import { ProjectionHealth } from './projections/projection-health';
import { ProjectorService } from './projections/projector.service';

/**
 * `GET /health`: what works, what does not, and how far the projection trails the store. Anyone
 * gets only `{status}` (and 503 when degraded); the details (roles, positions, the projector's
 * id, database errors) only an admin's token or the METRICS_TOKEN see.
 */
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionHealth,
    private readonly projector: ProjectorService,
    private readonly tokens: TokenService,
    private readonly sealer: SealerService,
    private readonly tallyReader: TallyReader,
  ) {}

  @Get('health')
  @Public()
  @ApiDoc({ summary: 'Whether this process works; details only with an admin token or METRICS_TOKEN', response: HealthView, alsoStatus: { 503: 'Degraded: what is failing' } })
  async health(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const [readModel, head] = await Promise.all([
      this.db.query('SELECT 1').then(() => ({ ok: true }), (e: Error) => ({ ok: false, error: e.message })),
      this.store.head().then((p) => ({ ok: true, position: p }), (e: Error) => ({ ok: false, position: null, error: e.message })),
    ]);
    const projection: HealthView['projection'] = await this.projection
      .status(head.position)
      .then((p) => ({ ...p }), (e: Error) => ({ position: null, lag: null, error: e.message }));
    const ok = readModel.ok && head.ok;
    const leadership = await this.leadership().catch(() => null);
    if (!ok) reply.status(503).header('retry-after', '5');
    const status = ok ? 'ok' : 'degraded';
    if (!(await this.maySee(bearerToken(req.headers.authorization)))) return { status };
    return {
      status,
      roles: this.config.roles,
      eventStore: { kind: this.store.kind, ...head },
      readModel,
      projection: { ...projection, ...leadership },
      ...(this.tallyReader.replicaStatus ? { readReplica: this.tallyReader.replicaStatus } : {}),
      ...(this.sealer.sealing ? { sealer: { ok: this.sealer.problem === undefined, ...(this.sealer.problem ? { error: this.sealer.problem } : {}) } } : {}),
    };
  }

  /** The metrics token, or an admin's valid token. */
  private async maySee(token: string | undefined): Promise<boolean> {
    if (!token) return false;
    if (isMetricsToken(token, this.config.metricsToken)) return true;
    return this.tokens.verify(token).then(
      (user) => user.role === 'admin',
      () => false,
    );
  }

  /**
   * Whether this process's projector holds the projection lease now (null when it runs no
   * projector): with several projector replicas exactly one leads, the others stand by.
   */
  private async leadership(): Promise<{ projector: string; leader: boolean } | null> {
    const running = this.projector.running;
    if (!running) return null;
    const { rows } = await this.db.query<{ leader: boolean }>(
      `SELECT owner = $1 AND coalesce(lease_until > now(), false) AS leader FROM projection_checkpoints WHERE name = 'tallies'`,
      [running.owner],
    );
    return { projector: running.owner, leader: rows[0]?.leader ?? false };
  }
}
