import { DomainError } from '../../shared/errors/domain-error';
import { isIsoDate, isIsoDateTime } from '../../medication-list/domain/medication-list.validation';

/**
 * Reading untrusted FHIR JSON without `any`: small narrowing helpers that throw a FeedRecordRejectedError with a
 * fixed reason. A reason names a FHIR path or a rule, never a value from the line, so it can go into a report or
 * a log without leaking a fødselsnummer (domain.md, "Identifiers"; house-style.md, "Errors").
 */

/**
 * Why a feed line was rejected: a fixed text, `wrong shape: <FHIR path>` (paths are ours, not the feed's) or
 * `invalid text: <FHIR path>` (a control or bidi character; keys that are not element names show as `*`).
 */
export type RejectionReason =
  | 'malformed JSON'
  | 'line too long'
  | 'not a JSON object'
  | 'missing identifier'
  | 'invalid identifier'
  | 'missing patient identifier'
  | 'unknown patient identifier system'
  | 'invalid patient identifier'
  | 'unknown status code'
  | 'dispense not completed'
  | 'invalid medication'
  | 'invalid date'
  | 'invalid HPR number'
  | 'invalid HER-id'
  | `wrong shape: ${string}`
  | `invalid text: ${string}`;

/** Thrown inside the mapping of one resource; the line parser turns it into a `rejected` outcome. */
export class FeedRecordRejectedError extends DomainError {
  readonly code = 'FEED_RECORD_REJECTED';
  readonly kind = 'invalid' as const;

  constructor(readonly reason: RejectionReason) {
    super(`Feed record rejected: ${reason}`, { reason });
  }
}

export const reject = (reason: RejectionReason): never => {
  throw new FeedRecordRejectedError(reason);
};

const wrongShape = (path: string): never => reject(`wrong shape: ${path}`);

export type JsonObject = Readonly<Record<string, unknown>>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An own property only: a feed key such as `constructor` must never reach Object.prototype. */
export const field = (object: JsonObject, key: string): unknown =>
  Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;

/** FHIR treats an absent element and JSON `null` alike. */
const isAbsent = (value: unknown): value is undefined | null => value === undefined || value === null;

export const optionalObject = (value: unknown, path: string): JsonObject | undefined => {
  if (isAbsent(value)) {
    return undefined;
  }
  return isJsonObject(value) ? value : wrongShape(path);
};

export const requiredObject = (value: unknown, path: string): JsonObject =>
  optionalObject(value, path) ?? wrongShape(path);

export const optionalArray = (value: unknown, path: string): readonly unknown[] => {
  if (isAbsent(value)) {
    return [];
  }
  return Array.isArray(value) ? value : wrongShape(path);
};

/** An array whose elements must all be objects (FHIR repeating complex elements). */
export const objectArray = (value: unknown, path: string): readonly JsonObject[] => {
  const elements = optionalArray(value, path);
  // The path of a bad element is built only when there is one: this runs for every array of every line.
  const bad = elements.findIndex((element) => !isJsonObject(element));
  return bad === -1 ? (elements as readonly JsonObject[]) : wrongShape(`${path}[${bad}]`);
};

export const optionalString = (value: unknown, path: string): string | undefined => {
  if (isAbsent(value)) {
    return undefined;
  }
  return typeof value === 'string' ? value : wrongShape(path);
};

/** A string with visible content; blank counts as absent (FHIR forbids empty strings). */
export const optionalText = (value: unknown, path: string): string | undefined => {
  const text = optionalString(value, path)?.trim();
  return text === undefined || text === '' ? undefined : text;
};

export const requiredString = (value: unknown, path: string): string => optionalString(value, path) ?? wrongShape(path);

export const optionalNumber = (value: unknown, path: string): number | undefined => {
  if (isAbsent(value)) {
    return undefined;
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : wrongShape(path);
};

export const optionalBoolean = (value: unknown, path: string): boolean | undefined => {
  if (isAbsent(value)) {
    return undefined;
  }
  return typeof value === 'boolean' ? value : wrongShape(path);
};

/**
 * A FHIR date or dateTime precise to the day at least: `YYYY-MM-DD` or a date-time with an offset. Year-only and
 * month-only dates are rejected: no reconciliation rule can use them.
 */
export const optionalDateTime = (value: unknown, path: string): string | undefined => {
  const text = optionalString(value, path);
  if (text === undefined) {
    return undefined;
  }
  return isIsoDate(text) || isIsoDateTime(text) ? text : reject('invalid date');
};

export const requiredDateTime = (value: unknown, path: string): string =>
  optionalDateTime(value, path) ?? wrongShape(path);
