import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * The HTTP edge as the GraphQL over HTTP specification says (issue 22), in two small route hooks beside
 * Mercurius's own handling:
 *  - request parameters of the wrong type are the client's malformed request: HTTP 400 `BAD_REQUEST` naming the
 *    parameter (a body of `{"query": 1}` was answered 200 INTERNAL_SERVER_ERROR and logged as our fault), and
 *    `"extensions": null` is allowed, as the spec says it MUST be;
 *  - a client that accepts `application/graphql-response+json` (Apollo Client and urql ask for it first) gets it.
 */

type Parameter = 'query' | 'operationName' | 'variables' | 'extensions';

const isMap = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): boolean => value === undefined || value === null;

const EXPECTED: Readonly<Record<Parameter, { readonly form: string; readonly ok: (value: unknown) => boolean }>> = {
  query: { form: 'a string', ok: (value) => value === undefined || typeof value === 'string' },
  operationName: { form: 'a string or null', ok: (value) => absent(value) || typeof value === 'string' },
  variables: { form: 'a map (JSON object) or null', ok: (value) => absent(value) || isMap(value) },
  extensions: { form: 'a map (JSON object) or null', ok: (value) => absent(value) || isMap(value) },
};

/** The first parameter of a POST body with the wrong type, and the form it must have; undefined when all fit. */
export const wrongParameter = (body: unknown): { readonly name: Parameter; readonly form: string } | undefined => {
  if (!isMap(body)) {
    return undefined; // not a map at all: Fastify and Mercurius refuse it (BAD_REQUEST) on their own
  }
  const parameters = body as Readonly<Record<string, unknown>>;
  const name = (Object.keys(EXPECTED) as Parameter[]).find(
    (candidate) => !EXPECTED[candidate].ok(parameters[candidate]),
  );
  return name === undefined ? undefined : { name, form: EXPECTED[name].form };
};

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/** The weight an Accept header gives one media type (exact, `type/*` or `*\/*`); 0 when it is not accepted. */
const weightOf = (accept: string, mediaType: string): number => {
  const [type] = mediaType.split('/');
  let best = -1;
  let bestSpecificity = -1;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const specificity = range === mediaType ? 2 : range === `${type ?? ''}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity > bestSpecificity) {
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      bestSpecificity = specificity;
      best = q === undefined ? 1 : Number(q.slice(2)) || 0;
    }
  }
  return Math.max(best, 0);
};

/** True when the client prefers application/graphql-response+json (at least as much as application/json). */
export const prefersGraphqlResponseJson = (accept: string | undefined): boolean => {
  if (accept === undefined || !accept.toLowerCase().includes(GRAPHQL_RESPONSE_JSON)) {
    return false;
  }
  const weight = weightOf(accept, GRAPHQL_RESPONSE_JSON);
  return weight > 0 && weight >= weightOf(accept, 'application/json');
};

/** Route hook (preValidation, before Mercurius's body schema): refuse parameters of the wrong type; allow null extensions. */
export const checkGraphqlParameters = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
  if (request.method !== 'POST') {
    return; // GET parameters are strings by construction; Mercurius parses variables and extensions itself
  }
  const wrong = wrongParameter(request.body);
  if (wrong !== undefined) {
    await reply.code(400).send({
      errors: [
        {
          message: `The request parameter "${wrong.name}" must be ${wrong.form}.`,
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    return;
  }
  if (isMap(request.body) && (request.body as Record<string, unknown>).extensions === null) {
    // null means "no extensions"; Mercurius's body schema only knows an object
    delete (request.body as Record<string, unknown>).extensions;
  }
};

/** Route hook (onSend): a JSON answer goes out as application/graphql-response+json to a client that prefers it. */
export const negotiateGraphqlResponseType = async (
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> => {
  const type = reply.getHeader('content-type');
  if (
    typeof type === 'string' &&
    type.startsWith('application/json') &&
    prefersGraphqlResponseJson(request.headers.accept)
  ) {
    reply.header('content-type', `${GRAPHQL_RESPONSE_JSON}; charset=utf-8`);
  }
  return payload;
};
