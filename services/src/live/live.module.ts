import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ElectionModule } from '../election/election.module';
import { ProjectionsModule } from '../projections/projections.module';
import { QuickcountModule } from '../quickcount/quickcount.module';
import { LiveGateway } from './live.gateway';
import { connectLiveRedis, LIVE_REDIS, type LiveRedis } from './live-redis';

/** The `/live` socket.io namespace: live tallies and quick counts for verifiers, officials and admins. */
@Module({
  imports: [ProjectionsModule, ElectionModule, QuickcountModule],
  providers: [
    {
      provide: LIVE_REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<LiveRedis | undefined> | undefined =>
        config.redisUrl && config.roles.includes('live') ? connectLiveRedis(config.redisUrl) : undefined,
    },
    LiveGateway,
  ],
  exports: [LiveGateway],
})
export class LiveModule implements OnModuleDestroy {
  constructor(@Inject(LIVE_REDIS) private readonly redis: LiveRedis | undefined) {}

  async onModuleDestroy(): Promise<void> {
    await this.redis?.close();
  }
}
