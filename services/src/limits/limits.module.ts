import { Global, Inject, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { LoginThrottle } from '../identity/login-throttle';
import { SubmissionRateLimiter } from '../identity/submission-rate-limiter';
import { deploymentPrefix, memoryCounters, redisCounters, type Counters } from './counters';
import { RequestLimit } from './request-limit';

export const COUNTERS = Symbol('COUNTERS');

/** The per-user budgets of requests besides logins and submissions. */
@Injectable()
export class RequestLimits {
  /** Reads (GET): generous, against scraping and accidental loops, not against people. */
  readonly reads: RequestLimit;
  /** Dry runs of the C.Hasil check: each parses and validates a whole form. */
  readonly validations: RequestLimit;

  constructor(@Inject(COUNTERS) counters: Counters, @Inject(APP_CONFIG) config: AppConfig) {
    this.reads = new RequestLimit(counters.limiter('read', config.readRatePerMinute, 60), 'rate_limited', (s) => `Terlalu banyak permintaan; coba lagi dalam ${s} detik`);
    this.validations = new RequestLimit(
      counters.limiter('validate', config.validateRatePerMinute, 60),
      'rate_limited',
      (s) => `Terlalu banyak pemeriksaan formulir; coba lagi dalam ${s} detik`,
    );
  }
}

/**
 * Every counter of rate limits and login throttles: in Redis with REDIS_URL (shared by the
 * replicas, keys under this deployment's prefix), else in memory. Global: identity and tabulation use it.
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
    {
      provide: SubmissionRateLimiter,
      inject: [COUNTERS, APP_CONFIG],
      useFactory: (counters: Counters, config: AppConfig) => new SubmissionRateLimiter(counters, config.submitRatePerMinute),
    },
    RequestLimits,
  ],
  exports: [COUNTERS, LoginThrottle, SubmissionRateLimiter, RequestLimits],
})
export class LimitsModule implements OnModuleDestroy {
  constructor(@Inject(COUNTERS) private readonly counters: Counters) {}

  async onModuleDestroy(): Promise<void> {
    await this.counters.close();
  }
}
