import { prefersGraphqlResponseJson, wrongParameter } from './http-parameters';

describe('GraphQL over HTTP request parameters', () => {
  it.each([
    [{ query: 1 }, 'query'],
    [{ query: true }, 'query'],
    [{ query: '{ a }', operationName: 1 }, 'operationName'],
    [{ query: '{ a }', operationName: false }, 'operationName'],
    [{ query: '{ a }', variables: 1 }, 'variables'],
    [{ query: '{ a }', variables: [1] }, 'variables'],
    [{ query: '{ a }', variables: 'x' }, 'variables'],
    [{ query: '{ a }', extensions: 'x' }, 'extensions'],
  ])('given %p, then the parameter %s is named as having the wrong type', (body, name) => {
    expect(wrongParameter(body)?.name).toBe(name);
  });

  it.each([
    [{ query: '{ a }' }],
    [{ query: '{ a }', operationName: null, variables: null, extensions: null }],
    [{ query: '{ a }', operationName: 'A', variables: { x: 1 }, extensions: {} }],
    [[{ query: '{ a }' }]],
  ])('given %p, then nothing is refused here', (body) => {
    expect(wrongParameter(body)).toBeUndefined();
  });

  it.each([
    ['application/graphql-response+json', true],
    ['application/graphql-response+json, application/json;q=0.9', true],
    ['application/json, application/graphql-response+json;q=0.5', false],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
    ['application/graphql-response+json;q=0', false],
  ])('Accept %p prefers application/graphql-response+json: %p', (accept, expected) => {
    expect(prefersGraphqlResponseJson(accept)).toBe(expected);
  });
});
