import { GRAPHIQL_CSP, securityHeaders } from './security-headers';

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

  it('adds HSTS in production', () => {
    expect(securityHeaders('/health', true)['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(securityHeaders('/health', false)['strict-transport-security']).toBeUndefined();
  });
});
