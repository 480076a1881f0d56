import { Global, Inject, Module, OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { EventStore } from '../eventstore/event-store.port';
import { createEventStore } from '../eventstore/event-store.factory';
import { openDatabase } from './database';
import { migrate, type Migration } from './migration';
import type { SqlDatabase } from './sql';
import { EVENT_STORE, SQL_DATABASE } from './tokens';

/** The process's configuration, its SQL database (migrated with the contexts' `migrations`) and its event store, for every context. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(SQL_DATABASE) private readonly db: SqlDatabase, @Inject(EVENT_STORE) private readonly store: EventStore) {}

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
      ],
      exports: [APP_CONFIG, SQL_DATABASE, EVENT_STORE],
    };
  }

  async onApplicationShutdown() {
    await this.store.close();
    await this.db.close();
  }
}
