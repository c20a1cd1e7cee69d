// A real OpenID provider (oidc-provider, the certified reference implementation) for the ward page's sign-in spec
// (test/e2e/ward-oidc.e2e-spec.ts). Run as its own Node process: oidc-provider is ESM-only, which plain Node loads
// and Jest does not. Prints `{"issuer":…}` on stdout once it listens on a free loopback port.
//
// Its clients:
//  - the service (CLIENT_ID): confidential, private_key_jwt with the public keys in CLIENT_JWKS (as HelseID
//    requires), authorization code with PKCE required;
//  - a seeder (SEEDER_ID / SEEDER_SECRET): client credentials, so the spec can set up data as a prescriber.
// Access tokens are JWTs for the resource RESOURCE carrying the HelseID claims in CLAIMS (`{ nurse, seeder }`).
// Its login and consent screens are one-button forms (no password for the test user): the whole protocol
// (authorize, code, token, PKCE, ID token) is oidc-provider's own. All keys are generated per run.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { REDIRECT_URI, CLIENT_ID, CLIENT_JWKS, SEEDER_ID, SEEDER_SECRET, RESOURCE, SCOPE, CLAIMS } = process.env;
const claims = JSON.parse(CLAIMS);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'local-provider-1', alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: JSON.parse(CLIENT_JWKS),
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: SEEDER_ID,
      client_secret: SEEDER_SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['local-provider-cookie-key'] },
  pkce: { required: () => true },
  findAccount: (_ctx, accountId) => ({ accountId, claims: () => ({ sub: accountId }) }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: SCOPE,
        audience: RESOURCE,
        accessTokenTTL: 3600,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  extraTokenClaims: (_ctx, token) => (token.clientId === SEEDER_ID ? claims.seeder : claims.nurse),
});

// The interaction, as a provider's login and consent screens: GET shows a form with one button (the test user
// "nurse-1" has no password to type), POST signs her in or records her consent. The browser therefore leaves the
// provider by a form the user submitted on the provider's site: the callback that follows is a cross-site
// navigation, as with HelseID's real login.
const page = (uid, title, button) =>
  `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1>` +
  `<form method="post" action="/interaction/${uid}"><button type="submit">${button}</button></form></main></body></html>`;

const interaction = async (req, res) => {
  const details = await provider.interactionDetails(req, res);
  const login = details.prompt.name === 'login';
  if (req.method === 'GET') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      login
        ? page(details.uid, 'Testleverandør: logg inn', 'Logg inn som nurse-1')
        : page(details.uid, 'Testleverandør: samtykke', 'Godta'),
    );
    return;
  }
  if (login) {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: 'nurse-1' } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  grant.addOIDCScope('openid');
  grant.addResourceScope(
    RESOURCE,
    details.params.scope
      .split(' ')
      .filter((scope) => scope !== 'openid')
      .join(' '),
  );
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true },
  );
};

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    req.resume();
    interaction(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
