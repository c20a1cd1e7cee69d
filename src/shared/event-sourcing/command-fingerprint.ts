import { createHash } from 'node:crypto';
import type { Command } from './decider';
import { DomainError } from '../errors/domain-error';

/**
 * Idempotency keys as the payment APIs people trust use them (issue 14): a command id names ONE command. Each event
 * a command appends carries a fingerprint of that command in its metadata: SHA-256 over its type, its stream (the
 * patient) and a canonical form of its data (keys sorted, absent and undefined fields dropped). Metadata and the
 * time of recording do not count; clinical times in the data (`dispensedAt`, `discontinuedAt`) do.
 *
 * A command the service derives itself, with a time from the clock in its data (a resolution's list commands, a
 * feed's annulment, a run's result), names what the id stands for in `meta.fingerprintData` instead, so that a
 * retry at a later time is still the same command.
 *
 * Events written before fingerprints existed carry none: for them a matching command id alone still returns the
 * earlier outcome (the behaviour before this change).
 */

/** JSON with object keys sorted at every level, undefined properties dropped: equal data, equal text. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify(undefined) is undefined at runtime
export const canonicalJson = (value: unknown): string => JSON.stringify(sorted(value)) ?? 'null';

const sorted = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    return value.map((item: unknown) => (item === undefined ? null : sorted(item)));
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Readonly<Record<string, unknown>>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .filter((key) => record[key] !== undefined)
        .map((key) => [key, sorted(record[key])]),
    );
  }
  return value;
};

/** The fingerprint of `command` on `streamName`: hex SHA-256 of type, stream and canonical data. */
export const commandFingerprint = (streamName: string, command: Command): string =>
  createHash('sha256')
    .update(`${command.type}\n${streamName}\n${canonicalJson(command.meta.fingerprintData ?? command.data)}`, 'utf8')
    .digest('hex');

/**
 * A command id came back with a different command (type, patient or data): nothing was appended. Not a retry, so
 * the earlier outcome is not this command's and the answer must not look like success. The client chooses a new id.
 */
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly kind = 'conflict' as const;
  constructor() {
    // The id is the client's own text: not echoed.
    super(
      'This command id was already used for a different command; nothing was changed. Send it with a new command id.',
    );
  }
}

/**
 * Passes when the stored events of a command id belong to the command with `fingerprint`: none of them carries a
 * fingerprint (written before fingerprints existed) or theirs equals it. Throws IdempotencyKeyReusedError otherwise.
 */
export const assertSameCommand = (
  fingerprint: string,
  stored: readonly { readonly metadata: { readonly fingerprint?: string } }[],
): void => {
  if (stored.some((event) => event.metadata.fingerprint !== undefined && event.metadata.fingerprint !== fingerprint)) {
    throw new IdempotencyKeyReusedError();
  }
};
