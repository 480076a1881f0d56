import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { AppConfig } from './config';
import { DatabaseModule } from './db/database.module';
import { allMigrations } from './app.migrations';
import { ElectionModule } from './election/election.module';
import { IdentityModule } from './identity/identity.module';
import { TabulationModule } from './tabulation/tabulation.module';
import { ProjectionsModule } from './projections/projections.module';
import { LiveModule } from './live/live.module';
import { QuickcountModule } from './quickcount/quickcount.module';
import { HealthController } from './health.controller';
import { EvidenceModule } from './evidence/evidence.module';
import { IntegrityModule } from './integrity/integrity.module';
import { LimitsModule } from './limits/limits.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiModule } from './openapi/openapi.module';
import { ReportsModule } from './reports/reports.module';

/** One Nest application holds every context; ROLES decides what runs in this process. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot(config, allMigrations),
        CqrsModule.forRoot(),
        LimitsModule,
        ElectionModule,
        IdentityModule,
        TabulationModule,
        ProjectionsModule,
        QuickcountModule,
        LiveModule,
        EvidenceModule,
        IntegrityModule,
        MetricsModule,
        OpenApiModule,
        ReportsModule,
      ],
      controllers: [HealthController],
    };
  }
}
