import { Global, Inject, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { LoginThrottle } from '../identity/login-throttle';
import { deploymentPrefix, memoryCounters, redisCounters, type Counters } from './counters';
import { RequestLimit } from './request-limit';

export const COUNTERS = Symbol('COUNTERS');

/** A per-user budget a route takes from: see `RequestLimits`. */
export type Budget = 'reads' | 'validations' | 'submissions' | 'photos';

/** The per-user budgets of requests besides logins, counted across replicas when Redis is configured. */
@Injectable()
export class RequestLimits implements Record<Budget, RequestLimit> {
  /** Reads (GET): generous, against scraping and accidental loops, not against people. */
  readonly reads: RequestLimit;
  /** Dry runs of the C.Hasil check: each parses and validates a whole form. */
  readonly validations: RequestLimit;
  /** Result submissions (SUARA_SUBMIT_RATE_PER_MIN). */
  readonly submissions: RequestLimit;
  /** Photo uploads, like submissions (SUARA_PHOTO_RATE_PER_MIN). */
  readonly photos: RequestLimit;

  constructor(@Inject(COUNTERS) counters: Counters, @Inject(APP_CONFIG) config: AppConfig) {
    const perMinute = (name: string, points: number, what: string) =>
      new RequestLimit(counters.limiter(name, points, 60), 'rate_limited', (s) => `Terlalu banyak ${what}; coba lagi dalam ${s} detik`);
    this.reads = perMinute('read', config.readRatePerMinute, 'permintaan');
    this.validations = perMinute('validate', config.validateRatePerMinute, 'pemeriksaan formulir');
    this.submissions = perMinute('submit', config.submitRatePerMinute, 'kiriman');
    this.photos = perMinute('photo', config.photoRatePerMinute, 'foto');
  }
}

/**
 * Every counter of rate limits and login throttles: in Redis with REDIS_URL (shared by the
 * replicas, keys under this deployment's prefix), else in memory. Global: identity, tabulation and evidence use it.
 */
@Global()
@Module({
  providers: [
    {
      provide: COUNTERS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<Counters> | Counters => {
        if (!config.redisUrl) return memoryCounters();
        const log = new Logger('limits');
        const prefix = deploymentPrefix(config.redisPrefix, config.databaseUrl ?? config.dataDir);
        return redisCounters(config.redisUrl, prefix, (err) => log.warn(`Redis for rate limits: ${err.message}; limits count in this process until it is back`));
      },
    },
    { provide: LoginThrottle, inject: [COUNTERS], useFactory: (counters: Counters) => new LoginThrottle(counters) },
    RequestLimits,
  ],
  exports: [COUNTERS, LoginThrottle, RequestLimits],
})
export class LimitsModule implements OnModuleDestroy {
  constructor(@Inject(COUNTERS) private readonly counters: Counters) {}

  async onModuleDestroy(): Promise<void> {
    await this.counters.close();
  }
}
