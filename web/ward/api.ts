import { type Client, createClient } from 'graphql-ws';

/*
 * The page's only ways out: its own service. The session cookie rides along (same origin); the CSRF token the
 * session endpoint gave goes in `x-csrf-token` on every POST and GraphQL call (src/ward/ward-sessions.ts).
 */

export interface Identity {
  readonly role: 'care' | 'prescriber';
  readonly organisationNumber?: string;
  readonly unit?: string;
  readonly hprNumber?: string;
}

export interface Session {
  readonly authMode: 'dev' | 'oidc';
  /** production: whether the service has OpenID Connect sign-in configured (GET /ward/login) */
  readonly oidcSignIn: boolean;
  readonly signedIn: Identity | null;
}

let csrfToken = '';

const post = (path: string, body: unknown = {}): Promise<Response> =>
  fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });

export const loadSession = async (): Promise<Session> => {
  const response = await fetch('/ward/api/session', { credentials: 'same-origin' });
  const body = (await response.json()) as Session & { csrfToken: string };
  csrfToken = body.csrfToken;
  return { authMode: body.authMode, oidcSignIn: body.oidcSignIn, signedIn: body.signedIn };
};

/** The dev sign-in; returns the names of the wrong fields, or the identity. */
export const devSignIn = async (form: Record<string, string>): Promise<Identity | { invalid: string[] }> => {
  const response = await post('/ward/api/dev-login', form);
  const body = (await response.json()) as { csrfToken?: string; signedIn?: Identity; invalid?: string[] };
  if (response.ok && body.signedIn !== undefined && body.csrfToken !== undefined) {
    csrfToken = body.csrfToken;
    return body.signedIn;
  }
  return { invalid: body.invalid ?? ['organisationNumber'] };
};

export const signOut = async (): Promise<void> => {
  await post('/ward/api/logout');
};

export class GraphqlError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface GraphqlBody<T> {
  readonly data?: T;
  readonly errors?: readonly {
    readonly message: string;
    readonly extensions?: { readonly code?: string; readonly errorCode?: string };
  }[];
}

const codeOf = (body: GraphqlBody<unknown>): string => {
  const first = body.errors?.[0];
  return first?.extensions?.errorCode ?? first?.extensions?.code ?? 'UNKNOWN';
};

export const query = async <T>(document: string, variables: Record<string, unknown> = {}): Promise<T> => {
  const response = await post('/graphql', { query: document, variables });
  const body = (await response.json()) as GraphqlBody<T>;
  if (body.errors !== undefined || body.data === undefined) {
    throw new GraphqlError(codeOf(body));
  }
  return body.data;
};

let client: Client | undefined;

/** One WebSocket for the page; each (re)connect asks for a fresh one-time ticket. */
const wsClient = (): Client => {
  client ??= createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: async () => {
      const response = await post('/ward/api/ws-ticket');
      const { ticket } = (await response.json()) as { ticket?: string };
      return { wardTicket: ticket ?? '' };
    },
    retryAttempts: 5,
  });
  return client;
};

/** Subscribes; `next` gets each snapshot. Returns the unsubscribe function. */
// T names the shape the caller's document selects (graphql-ws types the data by it): one use is the point.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export const live = <T extends Record<string, unknown>>(
  document: string,
  variables: Record<string, unknown>,
  next: (data: T) => void,
  failed: (code: string) => void,
): (() => void) =>
  wsClient().subscribe<T>(
    { query: document, variables },
    {
      next: (message) => {
        if (message.data !== undefined && message.data !== null) {
          next(message.data);
        } else {
          failed(codeOf(message));
        }
      },
      error: () => failed('LIVE_UNAVAILABLE'),
      complete: () => undefined,
    },
  );

export const closeLive = (): void => {
  void client?.dispose();
  client = undefined;
};
