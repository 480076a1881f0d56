import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { SqlDatabase } from '../db/sql';
import { EVENT_STORE, SQL_DATABASE } from '../db/tokens';
import type { EventStore } from '../eventstore/event-store.port';
import { Projector } from './projector';
import { TallyChangeFeed } from './tally-changes';

/** Runs the tallies projector in this process when ROLES includes `projector`. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('projector');
  private projector?: Projector;

  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feed: TallyChangeFeed,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.roles.includes('projector')) return;
    this.projector = new Projector(this.db, this.store, {
      origin: this.feed.origin,
      onCommitted: (change) => this.feed.publish(change),
      logger: this.log,
    });
    await this.projector.start();
    this.log.log(`projecting tallies from ${this.projector.position}`);
  }

  /** The running projector, undefined when this process does not project. */
  get running(): Projector | undefined {
    return this.projector;
  }

  async onModuleDestroy(): Promise<void> {
    await this.projector?.stop();
    await this.feed.close();
  }
}
