import { Module } from '@nestjs/common';
import { ElectionModule } from '../election/election.module';
import { SubmissionRateLimiter } from '../identity/submission-rate-limiter';
import { APP_CONFIG, type AppConfig } from '../config';
import { RESULT_HANDLERS } from './result.handlers';
import { ResultRepository } from './result.repository';
import { ResultsController } from './results.controller';
import { ResultsQueueRepository } from '../projections/results-queue.repository';

@Module({
  imports: [ElectionModule],
  controllers: [ResultsController],
  providers: [
    ResultRepository,
    ResultsQueueRepository,
    ...RESULT_HANDLERS,
    {
      provide: SubmissionRateLimiter,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new SubmissionRateLimiter({ capacity: config.submitRatePerMinute, perMinute: config.submitRatePerMinute }),
    },
  ],
  exports: [ResultRepository],
})
export class TabulationModule {}
