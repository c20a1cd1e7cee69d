import { randomUUID } from 'node:crypto';
import type { PatientKey } from '../medication-list/patient-stream';
import type { Actor } from '../shared/event-sourcing/event-store.port';

/**
 * Who is acting and under which correlation id: everything the command side needs from a request, free of
 * transport types so services do not depend on GraphQL or Fastify. The actor is never taken from the client: the
 * access step (src/access/graphql/access.guard.ts) builds it from the verified caller and the role access was granted
 * under, and resolvers receive it with `@CommandContext()`.
 */
export interface RequestContext {
  readonly actor: Actor;
  readonly correlationId: string;
  /** the patient the access step granted this call for (its rule names one), parsed and keyed once */
  readonly patient?: PatientKey;
}

// A UUID only: a free-form header could carry anything, including a patient id, into every log line.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const CORRELATION_HEADER = 'x-correlation-id';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The correlation id of one HTTP request or WebSocket connection: the client's UUID header, else a new one. */
export const correlationIdFrom = (headers: Headers): string => {
  const header = headers[CORRELATION_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate !== undefined && UUID.test(candidate) ? candidate.toLowerCase() : randomUUID();
};

const assigned = new WeakMap<object, string>();

/**
 * The correlation id of this request, chosen once (correlationIdFrom) and remembered: the `x-correlation-id`
 * response header (security-headers.ts, onRequest), the GraphQL context, the audit events and the log lines of
 * one request all carry the same id, also when the client sent none.
 */
export const correlationIdOf = (request: { readonly headers: Headers }): string => {
  const known = assigned.get(request);
  if (known !== undefined) {
    return known;
  }
  const id = correlationIdFrom(request.headers);
  assigned.set(request, id);
  return id;
};
