import { UnauthorizedException } from '@nestjs/common';
import { GraphQLError, Kind, buildSchema, getVariableValues, parse, validate } from 'graphql';
import { DomainError, type DomainErrorKind } from './domain-error';
import {
  type ErrorLog,
  type ErrorLogEntry,
  InvalidInputError,
  createErrorFormatter,
  errorLogTo,
  logGraphqlError,
  toSubscriptionError,
} from './graphql-error.normaliser';
import { createInputValidationPipe } from './input-validation.pipe';

const FNR = '31129956715';
const CORRELATION_ID = '6f1c2f0e-6a4b-4f51-9d0a-3c1c3f6f2a10';
const OPERATION = 'query:medicationList';

class ExampleError extends DomainError {
  readonly code = 'EXAMPLE_PROBLEM';
  constructor(readonly kind: DomainErrorKind) {
    super('Entry e-1 is not active', { entryId: 'e-1' });
  }
}

const schema = buildSchema('type Query { medicationList(patientId: String!): String }');

/** What Mercurius hands the formatter when a request fails before execution (MER_ERR_GQL_VALIDATION). */
const requestLevel = (errors: readonly unknown[]): GraphQLError =>
  new GraphQLError('Graphql validation error', {
    originalError: Object.assign(new Error('Graphql validation error'), {
      code: 'MER_ERR_GQL_VALIDATION',
      statusCode: 400,
      errors,
    }),
  });

const resolverError = (original: Error): GraphQLError =>
  new GraphQLError(original.message, { originalError: original, path: ['medicationList'] });

const run = (
  errors: GraphQLError[],
  data: Record<string, unknown> | null = null,
  context: Record<string, unknown> = { correlationId: CORRELATION_ID, operation: OPERATION },
) => {
  const logged: Parameters<ErrorLog>[0][] = [];
  const format = createErrorFormatter((entry) => {
    logged.push(entry);
  });
  const result = format({ data, errors }, context);
  return { ...result, logged, body: JSON.stringify(result.response) };
};

describe('GraphQL error normaliser', () => {
  it.each([
    ['invalid', 'BAD_USER_INPUT'],
    ['forbidden', 'FORBIDDEN'],
    ['not-found', 'NOT_FOUND'],
    ['conflict', 'CONFLICT'],
    ['unavailable', 'SERVICE_UNAVAILABLE'],
  ] as const)('maps a %s DomainError to %s with its own code and details, HTTP 200', (kind, code) => {
    const { statusCode, response } = run([resolverError(new ExampleError(kind))], { medicationList: null });

    expect(statusCode).toBe(200);
    expect(response.errors).toEqual([
      {
        message: 'Entry e-1 is not active',
        path: ['medicationList'],
        extensions: { code, errorCode: 'EXAMPLE_PROBLEM', details: { entryId: 'e-1' } },
      },
    ]);
  });

  it('reports class-validator failures as BAD_USER_INPUT with the field paths', () => {
    const { response } = run([resolverError(new InvalidInputError(['input.dosage.periods.0.start']))]);

    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      errorCode: 'INVALID_INPUT',
      fields: ['input.dosage.periods.0.start'],
    });
  });

  it('reports validation errors as GRAPHQL_VALIDATION_FAILED with HTTP 400', () => {
    const errors = validate(schema, parse('{ medicationList(patientId: "x") { nope } unknownField }'));
    const { statusCode, response } = run([requestLevel(errors)]);

    expect(statusCode).toBe(400);
    expect(response).not.toHaveProperty('data');
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
      'GRAPHQL_VALIDATION_FAILED',
    ]);
    expect(response.errors?.[0]?.locations).toBeDefined();
  });

  it('reports syntax errors as GRAPHQL_PARSE_FAILED', () => {
    let syntaxError: unknown;
    try {
      parse('{ medicationList(');
    } catch (error) {
      syntaxError = error;
    }
    const { statusCode, response } = run([requestLevel([syntaxError])]);

    expect(statusCode).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('never echoes a submitted identifier from a variable or literal of the wrong type', () => {
    const operation = parse('query ($id: String!) { medicationList(patientId: $id) }').definitions[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) {
      throw new Error('test setup: expected an operation');
    }
    const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], { id: Number(FNR) });
    const literal = validate(schema, parse(`{ medicationList(patientId: ${FNR}) }`));

    const { body, response } = run([requestLevel([...(coercion.errors ?? []), ...literal])]);

    expect(body).not.toContain(FNR);
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'Variable "$id" has an invalid value.',
        extensions: { code: 'BAD_USER_INPUT' },
      }),
      expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
  });

  it('reports a missing variable plainly', () => {
    const operation = parse('query ($id: String!) { medicationList(patientId: $id) }').definitions[0];
    if (operation?.kind !== Kind.OPERATION_DEFINITION) {
      throw new Error('test setup: expected an operation');
    }
    const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], {});
    const { response } = run([requestLevel(coercion.errors ?? [])]);

    expect(response.errors?.[0]?.message).toBe('Variable "$id" of required type "String!" was not provided.');
  });

  it('reports a body Fastify refused as BAD_REQUEST with its status', () => {
    const bodyError = Object.assign(new Error("Body is not valid JSON but content-type is set to 'application/json'"), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
    });
    const { statusCode, response } = run([new GraphQLError(bodyError.message, { originalError: bodyError })]);

    expect(statusCode).toBe(400);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'BAD_REQUEST' });
  });

  it('hides unexpected errors behind a generic message and a correlation id, and logs the real one under it', () => {
    const { statusCode, response, logged, body } = run([
      resolverError(new TypeError(`Cannot read properties of undefined (patient ${FNR})`)),
    ]);

    expect(statusCode).toBe(200);
    expect(response.errors).toEqual([
      {
        message: 'Internal server error',
        path: ['medicationList'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: CORRELATION_ID },
      },
    ]);
    expect(body).not.toContain(FNR);
    expect(logged).toEqual([
      {
        level: 'error',
        code: 'INTERNAL_SERVER_ERROR',
        operation: OPERATION,
        correlationId: CORRELATION_ID,
        error: expect.any(TypeError),
      },
    ]);
  });

  it('maps Nest HTTP exceptions below 500 to their conventional code', () => {
    const { response } = run([resolverError(new UnauthorizedException('Missing bearer token'))]);

    expect(response.errors?.[0]).toMatchObject({
      message: 'Missing bearer token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});

describe('GraphQL error normaliser: the log level of each kind', () => {
  const site = { operation: OPERATION, correlationId: CORRELATION_ID };

  it.each([
    ['invalid', 'info', 'BAD_USER_INPUT'],
    ['not-found', 'info', 'NOT_FOUND'],
    ['conflict', 'info', 'CONFLICT'],
    ['forbidden', 'warn', 'FORBIDDEN'],
  ] as const)(
    'a %s DomainError: %s, with its codes, the operation and the correlation id only (no error, no stack)',
    (kind, level, code) => {
      const { logged } = run([resolverError(new ExampleError(kind))], { medicationList: null });

      expect(logged).toEqual([{ level, code, errorCode: 'EXAMPLE_PROBLEM', ...site }]);
    },
  );

  it('an unavailable DomainError: warn, with the error (its cause is the lead)', () => {
    const error = new ExampleError('unavailable');
    const { logged } = run([resolverError(error)]);

    expect(logged).toEqual([
      { level: 'warn', code: 'SERVICE_UNAVAILABLE', errorCode: 'EXAMPLE_PROBLEM', ...site, error },
    ]);
  });

  it('an unexpected error: error, with the error itself', () => {
    const { logged } = run([resolverError(new RangeError('boom'))]);

    expect(logged).toEqual([{ level: 'error', code: 'INTERNAL_SERVER_ERROR', ...site, error: expect.any(RangeError) }]);
  });

  it.each([
    ['schema validation', () => requestLevel(validate(schema, parse('{ nope another }'))), 'GRAPHQL_VALIDATION_FAILED'],
    [
      'a syntax error',
      () => requestLevel([new GraphQLError('Syntax Error: Expected Name, found <EOF>.')]),
      'GRAPHQL_PARSE_FAILED',
    ],
    [
      'a variable of the wrong type',
      () => new GraphQLError('Variable "$id" got invalid value 3; String cannot represent a non string value'),
      'BAD_USER_INPUT',
    ],
    ['a Nest HTTP exception below 500', () => resolverError(new UnauthorizedException('no')), 'UNAUTHENTICATED'],
  ])('%s: info, logged once per request, without the error', (_name, error, code) => {
    const { logged } = run([error()]);

    expect(logged).toEqual([{ level: 'info', code, ...site }]);
  });

  it('names the operation "unknown" when the request never parsed, and keeps the correlation id', () => {
    const { logged } = run([requestLevel([new Error('Syntax Error: Unexpected <EOF>.')])], null, {
      correlationId: CORRELATION_ID,
    });

    expect(logged).toEqual([
      { level: 'info', code: 'GRAPHQL_PARSE_FAILED', operation: 'unknown', correlationId: CORRELATION_ID },
    ]);
  });

  it('logs a subscription setup error (never formatted) the same way', () => {
    const logged: ErrorLogEntry[] = [];
    const subscriptionSite = { operation: 'subscription:medicationListChanged', correlationId: CORRELATION_ID };
    logGraphqlError(toSubscriptionError(new ExampleError('forbidden')), subscriptionSite, (entry) =>
      logged.push(entry),
    );
    logGraphqlError(toSubscriptionError(new TypeError('bug')), subscriptionSite, (entry) => logged.push(entry));
    logGraphqlError(new ExampleError('not-found'), subscriptionSite, (entry) => logged.push(entry));

    expect(logged).toEqual([
      { level: 'warn', code: 'FORBIDDEN', errorCode: 'EXAMPLE_PROBLEM', ...subscriptionSite },
      { level: 'error', code: 'INTERNAL_SERVER_ERROR', ...subscriptionSite, error: expect.any(TypeError) },
      { level: 'info', code: 'NOT_FOUND', errorCode: 'EXAMPLE_PROBLEM', ...subscriptionSite },
    ]);
  });
});

describe('errorLogTo (pino)', () => {
  const logger = () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn() });

  it('writes a client error at its level with the fields only', () => {
    const pino = logger();
    errorLogTo(pino as never)({
      level: 'warn',
      code: 'FORBIDDEN',
      errorCode: 'ACCESS_DENIED',
      operation: OPERATION,
      correlationId: CORRELATION_ID,
    });

    expect(pino.warn).toHaveBeenCalledWith(
      { code: 'FORBIDDEN', errorCode: 'ACCESS_DENIED', operation: OPERATION, correlationId: CORRELATION_ID },
      'GraphQL error answered to the client',
    );
    expect(pino.error).not.toHaveBeenCalled();
  });

  it('writes an unexpected error at error with `err` (its stack), and an unavailable one at warn with its cause', () => {
    const pino = logger();
    const bug = new TypeError('bug');
    const cause = new Error('SQLITE_BUSY');
    const unavailable = Object.assign(new ExampleError('unavailable'), { cause });
    errorLogTo(pino as never)({
      level: 'error',
      code: 'INTERNAL_SERVER_ERROR',
      operation: OPERATION,
      correlationId: CORRELATION_ID,
      error: bug,
    });
    errorLogTo(pino as never)({
      level: 'warn',
      code: 'SERVICE_UNAVAILABLE',
      operation: OPERATION,
      correlationId: CORRELATION_ID,
      error: unavailable,
    });

    expect(pino.error).toHaveBeenCalledWith(
      { code: 'INTERNAL_SERVER_ERROR', operation: OPERATION, correlationId: CORRELATION_ID, err: bug },
      'unexpected error in a GraphQL operation',
    );
    expect(pino.warn).toHaveBeenCalledWith(
      { code: 'SERVICE_UNAVAILABLE', operation: OPERATION, correlationId: CORRELATION_ID, err: unavailable, cause },
      'GraphQL operation failed: a dependency is unavailable',
    );
  });
});

describe('input validation pipe', () => {
  it('turns class-validator errors into InvalidInputError with nested field paths', () => {
    const pipe = createInputValidationPipe();
    const factory = (pipe as unknown as { exceptionFactory: (errors: unknown[]) => unknown }).exceptionFactory;
    const error = factory([
      {
        property: 'input',
        children: [
          { property: 'startedOn', constraints: { isIso8601: 'bad' }, children: [] },
          { property: 'dosage', children: [{ property: 'shortCode', constraints: { maxLength: 'long' } }] },
        ],
      },
    ]);

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).fields).toEqual(['input.startedOn', 'input.dosage.shortCode']);
  });
});
