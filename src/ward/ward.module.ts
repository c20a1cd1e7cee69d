import { Global, Module } from '@nestjs/common';
import { DEFAULT_WARD_ASSETS_DIR, WARD_ASSETS_DIR } from './ward-assets';
import { WardController } from './ward.controller';
import { WardOidc } from './ward-oidc';
import { WardSessions } from './ward-sessions';
import { wardSignInLimiterProvider } from './ward-sign-in-limit';

/**
 * The ward page (issue 20): its files, its sign-in (rate-limited per client address) and its server-side sessions.
 * Global because the GraphQL edge authenticates the page's requests from WardSessions. Tests point WARD_ASSETS_DIR
 * at a fresh build.
 */
@Global()
@Module({
  controllers: [WardController],
  providers: [
    WardSessions,
    WardOidc,
    wardSignInLimiterProvider,
    { provide: WARD_ASSETS_DIR, useValue: DEFAULT_WARD_ASSETS_DIR },
  ],
  exports: [WardSessions],
})
export class WardModule {}
