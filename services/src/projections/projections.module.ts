import { Module } from '@nestjs/common';
import type { SqlDatabase } from '../db/sql';
import { SQL_DATABASE } from '../db/tokens';
import { ElectionModule } from '../election/election.module';
import { DapilTalliesController } from './dapil-tallies.controller';
import { DapilTalliesRepository } from './dapil-tallies.repository';
import { DapilTalliesService } from './dapil-tallies.service';
import { ProjectionHealth } from './projection-health';
import { ProjectorService } from './projector.service';
import { ResultsQueueController } from './results-queue.controller';
import { ResultsQueueRepository } from './results-queue.repository';
import { TalliesController } from './tallies.controller';
import { TalliesRepository } from './tallies.repository';
import { TalliesService } from './tallies.service';
import { TallyChangeFeed } from './tally-changes';

/** Read models of the results: the projector, tally, anomaly and verifier-queue queries, and the projection's health. */
@Module({
  imports: [ElectionModule],
  controllers: [TalliesController, DapilTalliesController, ResultsQueueController],
  providers: [
    { provide: TallyChangeFeed, inject: [SQL_DATABASE], useFactory: (db: SqlDatabase) => new TallyChangeFeed(db) },
    TalliesRepository,
    TalliesService,
    DapilTalliesRepository,
    DapilTalliesService,
    ResultsQueueRepository,
    ProjectorService,
    ProjectionHealth,
  ],
  exports: [TallyChangeFeed, TalliesService, DapilTalliesService, ProjectorService, ProjectionHealth],
})
export class ProjectionsModule {}
