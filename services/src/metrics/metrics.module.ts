import { Module } from '@nestjs/common';
import { LiveModule } from '../live/live.module';
import { ProjectionsModule } from '../projections/projections.module';
import { MetricsController } from './metrics.controller';
import { collectRuntimeMetrics } from './metrics';

@Module({ imports: [ProjectionsModule, LiveModule], controllers: [MetricsController] })
export class MetricsModule {
  constructor() {
    collectRuntimeMetrics();
  }
}
