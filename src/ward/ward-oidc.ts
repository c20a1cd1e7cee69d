import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { randomBytes, webcrypto } from 'node:crypto';
import * as oidc from 'openid-client';
import { AuthenticationError, AuthenticationUnavailableError } from '../access/domain/access.errors';
import { type Caller, callerOrganisationNumber } from '../access/domain/caller';
import { TokenVerifier } from '../access/tokens/token-verifier';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CLOCK, type Clock } from '../shared/clock';
import type { WardOidcConfig } from './ward-oidc.config';
import type { WardIdentity } from './ward-sessions';
import { LRUCache } from 'lru-cache';

/**
 * The ward page's production sign-in (issue 20): OpenID Connect authorization code flow with PKCE, with
 * `openid-client` (a certified relying party) doing the protocol: discovery, state, nonce, PKCE, the code exchange
 * and the ID token's checks. The service is the page's backend: tokens stay here; the browser gets only the session
 * cookie (WardSessions) and, while signing in, an opaque login-transaction id.
 *
 * The access token the provider returns is then verified by the service's own TokenVerifier, exactly as a GraphQL
 * request's would be (issuer, audience, algorithms, expiry, claims), so the page signs in no one the API would not
 * admit, and every look through it goes through the same policy and audit.
 */

/** A login that was started and not yet finished: what the callback must check. Server-side only. */
interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly expiresAt: number;
}

export type WardOidcFinish =
  | {
      readonly ok: true;
      readonly accessToken: string;
      readonly identity: WardIdentity;
      readonly expiresAt: Date;
      readonly caller: Caller;
    }
  /** `failure` is a code for logs and the page; never a token, a claim value or a provider message */
  | { readonly ok: false; readonly status: 400 | 403 | 503; readonly failure: string };

/** How long a started login may take (the provider's login screens, BankID …). */
const LOGIN_TTL_MS = 10 * 60 * 1000;
/** Bounds memory against a flood of started logins: the oldest are dropped first. */
const MAX_LOGINS = 10_000;
/** A nurse's shift: a session never outlives this, even with a longer-lived access token. */
const MAX_SESSION_MS = 8 * 60 * 60 * 1000;

const SIGNING_ALGORITHMS: Readonly<Record<string, webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams>> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
};

/** The client's private key for private_key_jwt, from a JWK file (WardOidc reads it at start: a bad file refuses start). */
export const loadClientKey = async (file: string): Promise<oidc.PrivateKey> => {
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as webcrypto.JsonWebKey & { kid?: string; alg?: string };
  const algorithm = SIGNING_ALGORITHMS[jwk.alg ?? ''];
  if (algorithm === undefined || jwk.d === undefined) {
    throw new Error(`WARD_OIDC_CLIENT_JWK_FILE must hold a private JWK with alg RS256, PS256 or ES256 (${file})`);
  }
  const key = await webcrypto.subtle.importKey('jwk', jwk, algorithm, false, ['sign']);
  return { key, ...(jwk.kid === undefined ? {} : { kid: jwk.kid }) };
};

/** Who signed in, as the page shows it: a nurse (care scope) first, the page is theirs; else a prescriber. */
export const wardIdentityOf = (caller: Caller): WardIdentity | undefined => {
  const organisationNumber = callerOrganisationNumber(caller);
  if (caller.roles.includes('care') && organisationNumber !== undefined) {
    return {
      role: 'care',
      organisationNumber,
      ...(caller.careUnit === undefined ? {} : { unit: caller.careUnit }),
      ...(caller.hprNumber === undefined ? {} : { hprNumber: caller.hprNumber }),
    };
  }
  if (caller.roles.includes('prescriber') && caller.hprNumber !== undefined) {
    return { role: 'prescriber', hprNumber: caller.hprNumber };
  }
  return undefined;
};

/** The provider's discovery could not be fetched (down, TLS, bad metadata); the page answers 503. */
export class WardOidcProviderUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`OpenID provider discovery failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const randomId = (): string => randomBytes(32).toString('base64url');

@Injectable()
export class WardOidc implements OnModuleInit {
  private readonly settings: WardOidcConfig | undefined;
  private readonly insecureHttp: boolean;
  /** Insertion order (each login is read once, on its callback): the oldest started logins go first. */
  private readonly logins = new LRUCache<string, LoginTransaction>({ max: MAX_LOGINS });
  private discovered: Promise<oidc.Configuration> | undefined;
  private clientKey: oidc.PrivateKey | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly verifier: TokenVerifier,
  ) {
    this.settings = config.wardOidc;
    this.insecureHttp = config.nodeEnv !== 'production';
  }

  /** The private_key_jwt key is read at start: a missing or bad key file refuses start, not the first sign-in. */
  async onModuleInit(): Promise<void> {
    if (this.settings?.clientAuth.kind === 'private_key_jwt') {
      this.clientKey = await loadClientKey(this.settings.clientAuth.jwkFile);
    }
  }

  get configured(): boolean {
    return this.settings !== undefined;
  }

  /** Started logins held, not yet finished or pushed out (at most MAX_LOGINS). */
  get pendingLogins(): number {
    return this.logins.size;
  }

  /**
   * Starts a login: PKCE verifier, state and nonce kept here under a new transaction id (the browser's login cookie),
   * and the provider's authorization URL to send the browser to. Throws WardOidcProviderUnavailableError when the
   * provider's discovery cannot be fetched.
   */
  async start(): Promise<{ readonly transactionId: string; readonly authorizationUrl: string }> {
    const settings = this.required();
    const configuration = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const transaction: LoginTransaction = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      expiresAt: this.now() + LOGIN_TTL_MS,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: settings.redirectUri,
      scope: settings.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: transaction.state,
      nonce: transaction.nonce,
      ...(settings.resource === undefined ? {} : { resource: settings.resource }),
    });
    const transactionId = randomId();
    this.remember(transactionId, transaction);
    return { transactionId, authorizationUrl: url.href };
  }

  /**
   * Finishes a login at the callback: the transaction (used once), the code exchanged with its PKCE verifier, state
   * and nonce checked by openid-client, then the access token verified like any API call's. `query` is the callback
   * request's query string; the URL it is checked against is WARD_OIDC_REDIRECT_URI, never the Host header.
   */
  async finish(transactionId: string | undefined, query: string): Promise<WardOidcFinish> {
    const settings = this.required();
    const transaction = transactionId === undefined ? undefined : this.logins.get(transactionId);
    if (transactionId !== undefined) {
      this.logins.delete(transactionId);
    }
    if (transaction === undefined || transaction.expiresAt <= this.now()) {
      return { ok: false, status: 400, failure: 'LOGIN_TRANSACTION_UNKNOWN' };
    }
    const configuration = await this.configuration().catch(() => undefined);
    if (configuration === undefined) {
      return { ok: false, status: 503, failure: 'PROVIDER_UNAVAILABLE' };
    }
    const callbackUrl = new URL(settings.redirectUri);
    callbackUrl.search = query;
    let accessToken: string;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        configuration,
        callbackUrl,
        {
          pkceCodeVerifier: transaction.codeVerifier,
          expectedState: transaction.state,
          expectedNonce: transaction.nonce,
          idTokenExpected: true,
        },
        settings.resource === undefined ? undefined : { resource: settings.resource },
      );
      accessToken = tokens.access_token;
    } catch (error) {
      return { ok: false, status: 400, failure: failureOf(error) };
    }
    try {
      const caller = await this.verifier.verify({
        authorization: `Bearer ${accessToken}`,
        method: 'GET',
        url: settings.redirectUri,
      });
      const identity = wardIdentityOf(caller);
      if (identity === undefined) {
        return { ok: false, status: 403, failure: 'NO_WARD_ROLE' };
      }
      const tokenEnd = caller.expiresAt === undefined ? Number.POSITIVE_INFINITY : caller.expiresAt * 1000;
      const expiresAt = new Date(Math.min(tokenEnd, this.now() + MAX_SESSION_MS));
      return { ok: true, accessToken, identity, expiresAt, caller };
    } catch (error) {
      if (error instanceof AuthenticationUnavailableError) {
        return { ok: false, status: 503, failure: error.code };
      }
      if (error instanceof AuthenticationError) {
        return { ok: false, status: 403, failure: error.failure };
      }
      throw error;
    }
  }

  private required(): WardOidcConfig {
    if (this.settings === undefined) {
      throw new Error('ward OpenID Connect sign-in is not configured');
    }
    return this.settings;
  }

  /** Discovery once, on first use (the service starts while the provider is down); a failure is retried next time. */
  private configuration(): Promise<oidc.Configuration> {
    if (this.discovered === undefined) {
      const settings = this.required();
      this.discovered = this.discover(settings).catch((error: unknown) => {
        this.discovered = undefined;
        throw new WardOidcProviderUnavailableError(error);
      });
    }
    return this.discovered;
  }

  private async discover(settings: WardOidcConfig): Promise<oidc.Configuration> {
    const clientAuth =
      settings.clientAuth.kind === 'private_key_jwt'
        ? oidc.PrivateKeyJwt(this.clientKey ?? (await loadClientKey(settings.clientAuth.jwkFile)))
        : oidc.ClientSecretBasic(settings.clientAuth.secret);
    // Plain http only outside production (a provider on 127.0.0.1 in the tests); production config requires https.
    const insecure = this.insecureHttp && new URL(settings.issuer).protocol === 'http:';
    return oidc.discovery(new URL(settings.issuer), settings.clientId, undefined, clientAuth, {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated by the library only to stand out: http is for local tests
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: 10,
    });
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private remember(transactionId: string, transaction: LoginTransaction): void {
    this.logins.set(transactionId, transaction);
  }
}

/** A stable code for logs and the page from openid-client's errors (their messages may quote the provider). */
const failureOf = (error: unknown): string => {
  if (error instanceof oidc.AuthorizationResponseError) {
    return `PROVIDER_REFUSED_${error.error
      .toUpperCase()
      .replace(/[^A-Z_]/g, '_')
      .slice(0, 40)}`;
  }
  if (error instanceof oidc.ResponseBodyError) {
    return `TOKEN_REQUEST_REFUSED_${error.error
      .toUpperCase()
      .replace(/[^A-Z_]/g, '_')
      .slice(0, 40)}`;
  }
  const code: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' && /^[A-Z_]{1,60}$/.test(code) ? code : 'CALLBACK_INVALID';
};
