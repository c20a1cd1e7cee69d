import { UnauthorizedException } from '@nestjs/common';
import { GraphQLError, Kind, buildSchema, getVariableValues, parse, validate } from 'graphql';
import { DomainError, type DomainErrorKind } from './domain-error';
import { type ErrorLog, InvalidInputError, createErrorFormatter, createInputValidationPipe } from './graphql-error.normaliser';

const FNR = '31129956715';
const CORRELATION_ID = '6f1c2f0e-6a4b-4f51-9d0a-3c1c3f6f2a10';

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

const run = (errors: GraphQLError[], data: Record<string, unknown> | null = null) => {
  const logged: Parameters<ErrorLog>[0][] = [];
  const format = createErrorFormatter((fields) => {
    logged.push(fields);
  });
  const result = format({ data, errors }, { correlationId: CORRELATION_ID });
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
    expect(response.data).toBeNull();
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
    if (operation.kind !== Kind.OPERATION_DEFINITION) {
      throw new Error('test setup: expected an operation');
    }
    const coercion = getVariableValues(schema, operation.variableDefinitions ?? [], { id: Number(FNR) });
    const literal = validate(schema, parse(`{ medicationList(patientId: ${FNR}) }`));

    const { body, response } = run([requestLevel([...(coercion.errors ?? []), ...literal])]);

    expect(body).not.toContain(FNR);
    expect(response.errors).toEqual([
      expect.objectContaining({ message: 'Variable "$id" has an invalid value.', extensions: { code: 'BAD_USER_INPUT' } }),
      expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
  });

  it('reports a missing variable plainly', () => {
    const operation = parse('query ($id: String!) { medicationList(patientId: $id) }').definitions[0];
    if (operation.kind !== Kind.OPERATION_DEFINITION) {
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
    expect(logged).toEqual([{ correlationId: CORRELATION_ID, error: expect.any(TypeError) }]);
  });

  it('maps Nest HTTP exceptions below 500 to their conventional code', () => {
    const { response } = run([resolverError(new UnauthorizedException('Missing bearer token'))]);

    expect(response.errors?.[0]).toMatchObject({
      message: 'Missing bearer token',
      extensions: { code: 'UNAUTHENTICATED' },
    });
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
