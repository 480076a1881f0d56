import { Module } from '@nestjs/common';
import { ElectionModule } from '../election/election.module';
import { ProjectionsModule } from '../projections/projections.module';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/** Printable and downloadable recaps (PDF, XLSX, CSV), each one in the audit log. */
@Module({
  imports: [ElectionModule, ProjectionsModule],
  controllers: [ReportsController],
  providers: [ReportsRepository, ReportsService],
})
export class ReportsModule {}
