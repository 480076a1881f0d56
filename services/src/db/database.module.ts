import { Global, Inject, Logger, Module, OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { EventStore } from '../eventstore/event-store.port';
import { createEventStore } from '../eventstore/event-store.factory';
import { openDatabase } from './database';
import { openPostgres } from './postgres.database';
import { TallyReader } from './read-replica';
import { migrate, type Migration } from './migration';
import type { SqlDatabase } from './sql';
import { EVENT_STORE, SQL_DATABASE } from './tokens';

/**
 * The process's configuration, its SQL database (migrated with the contexts' `migrations`), its event
 * store and the reader of tallies (on READ_DATABASE_URL's replica when it can), for every context.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(SQL_DATABASE) private readonly db: SqlDatabase,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly tallyReader: TallyReader,
  ) {}

  static forRoot(config: AppConfig, migrations: readonly Migration[]): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: SQL_DATABASE,
          useFactory: async () => {
            const db = await openDatabase(config);
            await migrate(db, migrations);
            return db;
          },
        },
        { provide: EVENT_STORE, inject: [SQL_DATABASE], useFactory: (db: SqlDatabase) => createEventStore(config, db) },
        {
          provide: TallyReader,
          inject: [SQL_DATABASE],
          useFactory: (db: SqlDatabase) => {
            const replicaUrl = config.readDatabaseUrl;
            const log = new Logger('database');
            // Opened at the first read, not at start: a replica that is away must not keep the service from starting.
            return new TallyReader(db, replicaUrl ? () => openPostgres(replicaUrl) : undefined, (line) => log.warn(line));
          },
        },
      ],
      exports: [APP_CONFIG, SQL_DATABASE, EVENT_STORE, TallyReader],
    };
  }

  async onApplicationShutdown() {
    await this.tallyReader.close();
    await this.store.close();
    await this.db.close();
  }
}
