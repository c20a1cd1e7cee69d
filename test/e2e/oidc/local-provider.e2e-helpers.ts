import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CARE_UNIT_CLAIM, HELSEID_CLAIMS, PLL_SCOPES } from '../../../src/access/domain/caller';
import { organisationRegisterCsv } from '../../../src/access/organisation-register';
import { NURSING_HOME_ORG } from '../../../src/medication-list/domain/medication-list.fixtures';
import { E2E_MUNICIPALITY, E2E_ORGANISATIONS } from '../app.e2e-helpers';

/**
 * A real OpenID provider for the ward page's sign-in specs (test/e2e/ward-oidc.e2e-spec.ts and the browser suite):
 * local-provider.mjs as a child process, with the service's client key pair (private_key_jwt) and a seeder client
 * generated per run, and the environment that points the service at it (AUTH_MODE=jwks against the provider's
 * JWKS, the WARD_OIDC_* settings, an organisation register that trusts the nursing home).
 */

export const WARD_CLIENT_ID = 'pll-ward-e2e';
// oidc-provider takes only an absolute URI as a resource indicator (RFC 8707 §2); it is the tokens' audience.
export const API_RESOURCE = 'https://api.pll.e2e.example';
export const NURSE_UNIT = 'Avdeling 3';
const SEEDER_ID = 'pll-e2e-seeder';
const SEEDER_SECRET = 'seeder-secret-generated-for-this-run-only';

/** What the nurse's access token says: HelseID claims of a nursing home's employee at security level 4. */
const NURSE_CLAIMS = {
  [HELSEID_CLAIMS.securityLevel]: '4',
  [HELSEID_CLAIMS.orgnrParent]: E2E_MUNICIPALITY,
  [HELSEID_CLAIMS.orgnrChild]: NURSING_HOME_ORG,
  [CARE_UNIT_CLAIM]: NURSE_UNIT,
};
const SEEDER_CLAIMS = { [HELSEID_CLAIMS.securityLevel]: '4', [HELSEID_CLAIMS.hprNumber]: '999999999' };

export interface LocalProvider {
  readonly issuer: string;
  /** the service's environment: AUTH_* against this provider, WARD_OIDC_*, the organisation register */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** a prescriber's access token (client credentials of the seeder client), to set data up */
  prescriberToken(): Promise<string>;
  stop(): void;
}

export const startLocalProvider = async (redirectUri: string): Promise<LocalProvider> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ward-oidc-'));
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const clientJwkFile = path.join(dir, 'client-key.json');
  writeFileSync(
    clientJwkFile,
    JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'ward-client-1', alg: 'ES256' }),
  );
  const clientJwks = {
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'ward-client-1', alg: 'ES256', use: 'sig' }],
  };
  const registerFile = path.join(dir, 'organisations.csv');
  writeFileSync(registerFile, organisationRegisterCsv(E2E_ORGANISATIONS));

  const child: ChildProcess = spawn(process.execPath, [path.join(__dirname, 'local-provider.mjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      REDIRECT_URI: redirectUri,
      CLIENT_ID: WARD_CLIENT_ID,
      CLIENT_JWKS: JSON.stringify(clientJwks),
      SEEDER_ID,
      SEEDER_SECRET,
      RESOURCE: API_RESOURCE,
      SCOPE: `${PLL_SCOPES.care} ${PLL_SCOPES.prescriber}`,
      CLAIMS: JSON.stringify({ nurse: NURSE_CLAIMS, seeder: SEEDER_CLAIMS }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`provider did not start:\n${output}`)), 20_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{"issuer"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { issuer: string }).issuer);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`provider exited (${String(code)}):\n${output}`));
    });
  });

  const prescriberToken = async (): Promise<string> => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${SEEDER_ID}:${SEEDER_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: PLL_SCOPES.prescriber,
        resource: API_RESOURCE,
      }),
    });
    const body = (await response.json()) as { access_token?: string };
    if (body.access_token === undefined) {
      throw new Error(`no seeder token: ${response.status} ${JSON.stringify(body)}`);
    }
    return body.access_token;
  };

  return {
    issuer,
    serviceEnv: {
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: `${issuer}/jwks`,
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: API_RESOURCE,
      ORGANISATION_REGISTER_FILE: registerFile,
      WARD_OIDC_ISSUER: issuer,
      WARD_OIDC_CLIENT_ID: WARD_CLIENT_ID,
      WARD_OIDC_CLIENT_JWK_FILE: clientJwkFile,
      WARD_OIDC_REDIRECT_URI: redirectUri,
      WARD_OIDC_SCOPE: `openid ${PLL_SCOPES.care}`,
      WARD_OIDC_RESOURCE: API_RESOURCE,
    },
    prescriberToken,
    stop: () => {
      child.removeAllListeners('exit');
      child.kill();
    },
  };
};
