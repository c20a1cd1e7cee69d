/**
 * The ward page's session cookie (issue 20, backend-for-frontend): an opaque random id, nothing else. HttpOnly (no
 * script reads it), Secure (browsers also keep Secure cookies from http://localhost, so dev works), SameSite=Strict
 * (never sent on a request another site starts), Path=/ (the page calls /graphql). Tokens stay on the server.
 */
export const SESSION_COOKIE = 'pll_ward_session';

/** The value of one cookie from a `Cookie` header; undefined when absent or malformed. */
export const cookieValue = (header: string | undefined, name: string): string | undefined => {
  if (header === undefined) {
    return undefined;
  }
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator !== -1 && part.slice(0, separator).trim() === name) {
      const value = part.slice(separator + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
};

/** `Set-Cookie` for a session id that lives `maxAgeSeconds` (0 clears it). */
export const sessionCookie = (sessionId: string, maxAgeSeconds: number): string =>
  `${SESSION_COOKIE}=${sessionId}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=Strict`;

/** `Set-Cookie` that removes the session cookie. */
export const clearedSessionCookie = (): string => sessionCookie('', 0);

/**
 * The login-transaction cookie of the OpenID Connect sign-in (ward-oidc.ts): an opaque id of the PKCE verifier,
 * state and nonce kept on the server, for the callback only. SameSite=Lax, not Strict: the callback is a top-level
 * GET redirect from the provider's site, on which a Strict cookie is not sent. Path=/ward/callback, ten minutes.
 */
export const LOGIN_COOKIE = 'pll_ward_login';

export const loginCookie = (transactionId: string, maxAgeSeconds: number): string =>
  `${LOGIN_COOKIE}=${transactionId}; Path=/ward/callback; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}; HttpOnly; Secure; SameSite=Lax`;
