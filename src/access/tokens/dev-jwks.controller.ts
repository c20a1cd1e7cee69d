import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { DEV_KEYS, type DevKeys } from './dev-keys';

/**
 * GET /.well-known/jwks.json in AUTH_MODE=dev only (AccessModule registers it only then): the public half of the
 * dev signing key, so other local services or tools can verify tokens from `npm run token` the way they would
 * verify HelseID's. The service itself verifies against the key in memory, not through this endpoint.
 */
@Controller('.well-known')
export class DevJwksController {
  constructor(@Inject(DEV_KEYS) private readonly keys: DevKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'no-store')
  jwks(): JSONWebKeySet {
    return this.keys.jwks;
  }
}
