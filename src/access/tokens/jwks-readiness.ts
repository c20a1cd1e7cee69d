import type { OnModuleInit } from '@nestjs/common';
import type { ReadinessChecks, ReadinessStatus } from '../../health/readiness';
import type { AuthConfig } from '../auth-config';
import { isUsablePublicKey } from './jwks-file';

/**
 * `/ready` is 503 while the issuer's JWKS URL is unreachable or yields no usable public key (issue 15, part 5):
 * every request would fail with 503/401 meanwhile, so a load balancer should send traffic elsewhere. Before, `/ready`
 * stayed 200. The reason is a fixed word (`unreachable`, `not-json`, `no-usable-key`): `/ready` is unauthenticated.
 */

const TIMEOUT_MS = 3000;

export const jwksReadiness = async (url: string, fetchImpl: typeof fetch = fetch): Promise<ReadinessStatus> => {
  let body: unknown;
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) {
      return { up: false, details: { reason: 'unreachable', status: response.status } };
    }
    body = await response.json();
  } catch (error) {
    return { up: false, details: { reason: error instanceof SyntaxError ? 'not-json' : 'unreachable' } };
  }
  const keys: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'keys') : undefined;
  const usable = Array.isArray(keys)
    ? keys.filter(
        (key: unknown) => typeof key === 'object' && key !== null && isUsablePublicKey(key as Record<string, unknown>),
      )
    : [];
  return usable.length > 0
    ? { up: true, details: { keys: usable.length } }
    : { up: false, details: { reason: 'no-usable-key' } };
};

/**
 * Registers the check when the keys come from a URL (a file is checked once, at start: jwks-file.ts). Built by
 * AccessModule's factory (which holds the AuthConfig), so this file does not import the module.
 */
export class JwksReadiness implements OnModuleInit {
  constructor(
    private readonly auth: AuthConfig,
    private readonly readiness?: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    const { keys } = this.auth;
    if (keys.kind === 'url') {
      this.readiness?.register('auth:jwks', () => jwksReadiness(keys.url));
    }
  }
}
