import { Module } from '@nestjs/common';
import { ElectionModule } from '../election/election.module';
import { RESULT_HANDLERS } from './result.handlers';
import { ResultRepository } from './result.repository';
import { DesaShares } from './desa-shares';
import { ResultsController } from './results.controller';
import { ProposalsController } from './proposals.controller';
import { ProposalsRepository } from './proposals.repository';

@Module({
  imports: [ElectionModule],
  controllers: [ResultsController, ProposalsController],
  providers: [
    ResultRepository,
    ProposalsRepository,
    DesaShares,
    ...RESULT_HANDLERS,
  ],
  exports: [ResultRepository],
})
export class TabulationModule {}
