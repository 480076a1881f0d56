import { Module } from '@nestjs/common';
import { ElectionController } from './election.controller';
import { ElectionRepository } from './election.repository';
import { ElectionService } from './election.service';

@Module({
  controllers: [ElectionController],
  providers: [ElectionRepository, ElectionService],
  exports: [ElectionService, ElectionRepository],
})
export class ElectionModule {}
