import { type Env, valueOf } from '../config/env';
/**
 * Production sign-in of the ward page (issue 20): OpenID Connect authorization code flow with PKCE, the service
 * acting as the page's backend (docs/ward.md, "Production sign-in"). Settings from the environment, validated like
 * src/config/config.ts (every problem reported, one line each):
 *
 *   WARD_OIDC_ISSUER             the OpenID provider's issuer URL (HelseID: https://helseid-sts.nhn.no); https in
 *                                production. Discovery (`/.well-known/openid-configuration`) is fetched on first use
 *   WARD_OIDC_CLIENT_ID          the service's client id at the provider
 *   WARD_OIDC_CLIENT_JWK_FILE    private_key_jwt (what HelseID requires): a file with the client's PRIVATE JWK
 *                                (`kid` and `alg` RS256, PS256 or ES256); its public half is registered at the provider
 *   WARD_OIDC_CLIENT_SECRET      client_secret_basic, for providers that use secrets (exactly one of the two)
 *   WARD_OIDC_REDIRECT_URI       the callback registered at the provider, `https://<public host>/ward/callback`; the
 *                                callback is always checked against it, never against the request's Host header
 *   WARD_OIDC_SCOPE              default `openid e-helse:pll/care`
 *   WARD_OIDC_RESOURCE           a resource indicator (RFC 8707) sent on the authorization and token requests
 *                                (optional; HelseID uses it to choose the API, i.e. AUTH_AUDIENCE)
 *
 * Active only with AUTH_MODE=jwks and WARD_OIDC_ISSUER set: the access token from the provider is verified by the
 * service's own verifier (AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_*), so it must come from the same issuer. Without
 * the settings the service starts and /ward/login says sign-in is not configured. Pure.
 */

export interface WardOidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientAuth:
    | { readonly kind: 'private_key_jwt'; readonly jwkFile: string }
    | { readonly kind: 'client_secret_basic'; readonly secret: string };
  readonly redirectUri: string;
  readonly scope: string;
  readonly resource?: string;
}

export interface ParsedWardOidcConfig {
  readonly config?: WardOidcConfig;
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
}

export const DEFAULT_WARD_OIDC_SCOPE = 'openid e-helse:pll/care';

/** The callback path the controller serves; WARD_OIDC_REDIRECT_URI must end in it. */
export const WARD_CALLBACK_PATH = '/ward/callback';

const urlProblem = (name: string, value: string, production: boolean): string | undefined => {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || (!production && url.protocol === 'http:')) {
      return undefined;
    }
  } catch {
    // reported below
  }
  return `${name} must be an ${production ? 'https' : 'http(s)'} URL (got "${value}")`;
};

export const parseWardOidcConfig = (env: Env, authMode: 'dev' | 'jwks', production: boolean): ParsedWardOidcConfig => {
  const names = [
    'WARD_OIDC_ISSUER',
    'WARD_OIDC_CLIENT_ID',
    'WARD_OIDC_CLIENT_JWK_FILE',
    'WARD_OIDC_CLIENT_SECRET',
    'WARD_OIDC_REDIRECT_URI',
  ];
  const issuer = valueOf(env, 'WARD_OIDC_ISSUER');
  if (issuer === undefined) {
    const stray = names.filter((name) => valueOf(env, name) !== undefined);
    return stray.length === 0
      ? { problems: [], warnings: [] }
      : { problems: [`${stray.join(', ')} set without WARD_OIDC_ISSUER`], warnings: [] };
  }
  if (authMode === 'dev') {
    return {
      problems: [],
      warnings: ['WARD_OIDC_ISSUER is ignored with AUTH_MODE=dev (the ward page uses the dev sign-in form)'],
    };
  }
  const problems: string[] = [];
  const clientId = valueOf(env, 'WARD_OIDC_CLIENT_ID');
  const jwkFile = valueOf(env, 'WARD_OIDC_CLIENT_JWK_FILE');
  const secret = valueOf(env, 'WARD_OIDC_CLIENT_SECRET');
  const redirectUri = valueOf(env, 'WARD_OIDC_REDIRECT_URI');
  const resource = valueOf(env, 'WARD_OIDC_RESOURCE');
  const scope = valueOf(env, 'WARD_OIDC_SCOPE') ?? DEFAULT_WARD_OIDC_SCOPE;
  const issuerProblem = urlProblem('WARD_OIDC_ISSUER', issuer, production);
  if (issuerProblem !== undefined) {
    problems.push(issuerProblem);
  }
  if (clientId === undefined) {
    problems.push('WARD_OIDC_ISSUER needs WARD_OIDC_CLIENT_ID');
  }
  if ((jwkFile === undefined) === (secret === undefined)) {
    problems.push(
      'WARD_OIDC_ISSUER needs exactly one of WARD_OIDC_CLIENT_JWK_FILE (private_key_jwt) and WARD_OIDC_CLIENT_SECRET',
    );
  }
  if (redirectUri === undefined) {
    problems.push('WARD_OIDC_ISSUER needs WARD_OIDC_REDIRECT_URI');
  } else {
    const redirectProblem = urlProblem('WARD_OIDC_REDIRECT_URI', redirectUri, production);
    if (redirectProblem !== undefined) {
      problems.push(redirectProblem);
    } else if (new URL(redirectUri).pathname !== WARD_CALLBACK_PATH || new URL(redirectUri).search !== '') {
      problems.push(`WARD_OIDC_REDIRECT_URI must end in ${WARD_CALLBACK_PATH} (got "${redirectUri}")`);
    }
  }
  if (!scope.split(' ').includes('openid')) {
    problems.push(`WARD_OIDC_SCOPE must include openid (got "${scope}")`);
  }
  if (problems.length > 0 || clientId === undefined || redirectUri === undefined) {
    return { problems, warnings: [] };
  }
  return {
    problems,
    warnings: [],
    config: {
      issuer,
      clientId,
      clientAuth:
        jwkFile !== undefined
          ? { kind: 'private_key_jwt', jwkFile }
          : { kind: 'client_secret_basic', secret: secret ?? '' },
      redirectUri,
      scope,
      ...(resource === undefined ? {} : { resource }),
    },
  };
};
