import type { Clock } from '../shared/clock';

/**
 * One graphql-transport-ws connection as the access step sees it (issue 15, part 1). Mercurius closes a socket it
 * refuses (onConnect returned false) with `close()` and no code, which the client sees as 1005; the protocol asks
 * for 4403 Forbidden. And a connection outlives the token it was opened with: when the token ends (`exp` plus the
 * configured clock skew) the connection is closed with 4401 Unauthorized, and the client must reconnect with a
 * fresh token. The deadline is checked before every pushed snapshot (the access step's live check) and by a timer,
 * so an idle connection is closed too.
 */

export const WS_CLOSE = {
  /** the token has ended: authenticate again */
  unauthorized: { code: 4401, reason: 'Unauthorized' },
  /** connection_init without a valid token */
  forbidden: { code: 4403, reason: 'Forbidden' },
} as const;

/** The parts of a `ws` socket this needs. */
export interface WsSocket {
  send(data: unknown, ...rest: unknown[]): void;
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
}

export interface WsConnection {
  /** closes the connection with 4401 unless the token's deadline (epoch ms) is still ahead; true when closed */
  closeIfExpired(deadlineMs: number): boolean;
  /** arms one timer that closes the connection at the deadline (the first call per connection counts) */
  watchExpiry(deadlineMs: number): void;
}

// setTimeout takes at most 2^31 − 1 ms; a longer wait is re-armed.
const MAX_TIMER_MS = 2_147_483_647;

const adopted = new WeakMap<WsSocket, WsConnection>();

/** Wraps the socket once (Mercurius calls the subscription context once per connection_init). */
export const adoptSocket = (socket: WsSocket, clock: Clock): WsConnection => {
  const known = adopted.get(socket);
  if (known !== undefined) {
    return known;
  }
  let refused = false;
  let timer: NodeJS.Timeout | undefined;
  const send = socket.send.bind(socket);
  const close = socket.close.bind(socket);
  // Mercurius sends `connection_error` right before it closes a refused connection (and for nothing else once
  // connection_init is being handled): the close that follows it is the refusal.
  socket.send = (data: unknown, ...rest: unknown[]): void => {
    refused ||= typeof data === 'string' && data.startsWith('{"type":"connection_error"');
    send(data, ...rest);
  };
  socket.close = (code?: number, reason?: string): void => {
    if (code === undefined && refused) {
      close(WS_CLOSE.forbidden.code, WS_CLOSE.forbidden.reason);
      return;
    }
    close(code, reason);
  };
  socket.once('close', () => clearTimeout(timer));
  const closeIfExpired = (deadlineMs: number): boolean => {
    if (clock.now().getTime() < deadlineMs) {
      return false;
    }
    clearTimeout(timer);
    close(WS_CLOSE.unauthorized.code, WS_CLOSE.unauthorized.reason);
    return true;
  };
  const arm = (deadlineMs: number): void => {
    const wait = Math.min(Math.max(0, deadlineMs - clock.now().getTime()), MAX_TIMER_MS);
    timer = setTimeout(() => {
      if (!closeIfExpired(deadlineMs)) {
        arm(deadlineMs);
      }
    }, wait);
    timer.unref();
  };
  const connection: WsConnection = {
    closeIfExpired,
    watchExpiry: (deadlineMs) => {
      if (timer === undefined) {
        arm(deadlineMs);
      }
    },
  };
  adopted.set(socket, connection);
  return connection;
};
