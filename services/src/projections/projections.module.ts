import { Module } from '@nestjs/common';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { ElectionModule } from '../election/election.module';
import { ProjectionHealth } from './projection-health';
import { ProjectorService } from './projector.service';
import { TalliesController } from './tallies.controller';
import { TalliesRepository } from './tallies.repository';
import { TalliesService } from './tallies.service';
import { TallyChangeFeed } from './tally-changes';

/** Read models of the results: the projector, tally and anomaly queries, and the projection's health. */
@Module({
  imports: [ElectionModule],
  controllers: [TalliesController],
  providers: [
    { provide: TallyChangeFeed, inject: [SQL_DATABASE], useFactory: (db: SqlDatabase) => new TallyChangeFeed(db) },
    TalliesRepository,
    TalliesService,
    ProjectorService,
    ProjectionHealth,
  ],
  exports: [TallyChangeFeed, TalliesService, ProjectorService, ProjectionHealth],
})
export class ProjectionsModule {}
