import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { HealthView } from '@suara/contracts';
import { APP_CONFIG, type AppConfig } from './config';
import { EVENT_STORE, SQL_DATABASE } from './db/tokens';
import type { SqlDatabase } from './db/sql';
import type { EventStore } from './eventstore/event-store.port';
import { Public } from './identity/auth.decorators';
import { ProjectionHealth } from './projections/projection-health';
import { ProjectorService } from './projections/projector.service';

/** `GET /health`: what works, what does not, and how far the projection trails the store. */
@Controller()
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: ProjectionHealth,
    private readonly projector: ProjectorService,
  ) {}

  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
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
    return {
      status: ok ? 'ok' : 'degraded',
      roles: this.config.roles,
      eventStore: { kind: this.store.kind, ...head },
      readModel,
      projection: { ...projection, ...leadership },
    };
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
