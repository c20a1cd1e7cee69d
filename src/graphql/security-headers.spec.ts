import { GRAPHIQL_CSP, WARD_CSP, securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it('closes everything for the API, with no caching of /graphql answers', () => {
    expect(securityHeaders('/graphql', false)).toEqual({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'cache-control': 'no-store',
    });
  });

  it('lets GraphiQL load in development only', () => {
    expect(securityHeaders('/graphiql', false)['content-security-policy']).toBe(GRAPHIQL_CSP);
    expect(securityHeaders('/graphiql/main.js', false)['content-security-policy']).toBe(GRAPHIQL_CSP);
    expect(securityHeaders('/graphiql', true)['content-security-policy']).toMatch(/^default-src 'none'/);
  });

  it('lets the ward page load its own script and style only, in production too, and talk to its own origin', () => {
    for (const production of [false, true]) {
      expect(securityHeaders('/ward', production)['content-security-policy']).toBe(WARD_CSP);
      expect(securityHeaders('/ward/ward.js', production)['content-security-policy']).toBe(WARD_CSP);
    }
    expect(WARD_CSP).toContain("script-src 'self'");
    expect(WARD_CSP).not.toMatch(/unsafe|https?:/);
    expect(securityHeaders('/wardrobe', false)['content-security-policy']).toMatch(/^default-src 'none'; frame/);
  });

  it('adds HSTS in production', () => {
    expect(securityHeaders('/health', true)['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(securityHeaders('/health', false)['strict-transport-security']).toBeUndefined();
  });
});
