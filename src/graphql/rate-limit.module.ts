import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CLOCK, type Clock } from '../shared/clock';
import { TokenBucketLimiter } from './rate-limit';

/**
 * The one per-caller rate limiter of the service (RATE_LIMIT_PER_MINUTE): /graphql and /fhir take from the same
 * bucket, so a caller does not get the limit once per interface. One instance because Nest instantiates a static
 * module once, however many modules import it.
 */
@Module({
  providers: [
    {
      provide: TokenBucketLimiter,
      inject: [APP_CONFIG, CLOCK],
      useFactory: (config: AppConfig, clock: Clock): TokenBucketLimiter =>
        new TokenBucketLimiter(config.rateLimitPerMinute, clock),
    },
  ],
  exports: [TokenBucketLimiter],
})
export class RateLimitModule {}
