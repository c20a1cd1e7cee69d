import { randomUUID } from 'node:crypto';
import type { Actor } from '../shared/event-sourcing/event-store.port';

/**
 * Who is asking and under which correlation id: everything the command side needs from a request, free of
 * transport types so services do not depend on GraphQL or Fastify.
 */
export interface RequestContext {
  readonly actor: Actor;
  readonly correlationId: string;
}

/**
 * The actor of every request until authentication exists (issue 5 replaces `requestContextFrom` with one that
 * verifies the bearer token and maps HelseID claims). Kept here, and only here, so it is easy to find and remove.
 * A development stand-in: an HPR number no real person has (9 digits, starting 99).
 */
export const DEV_ACTOR: Actor = {
  role: 'prescriber',
  hprNumber: '999999999',
  name: 'Development prescriber (no authentication yet)',
};

// A UUID only: a free-form header could carry anything, including a patient id, into every log line.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const CORRELATION_HEADER = 'x-correlation-id';

/** Builds the context of one HTTP request or WebSocket connection from its headers. */
export const requestContextFrom = (headers: Readonly<Record<string, string | string[] | undefined>>): RequestContext => {
  const header = headers[CORRELATION_HEADER];
  const candidate = Array.isArray(header) ? header[0] : header;
  return {
    actor: DEV_ACTOR,
    correlationId: candidate !== undefined && UUID.test(candidate) ? candidate.toLowerCase() : randomUUID(),
  };
};
