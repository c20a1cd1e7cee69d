import { cleanInputText, InvalidTextError, type TextWalk } from '../../shared/text/free-text';
import type { ExternalRecord, FeedSource } from '../domain/external-record';
import { FeedRecordRejectedError, field, isJsonObject, type RejectionReason } from './fhir-read';
import { patientHintOf, resourceTypeOf, toExternalRecord } from './fhir-resources';

/**
 * FHIR R4 feeds as NDJSON (FHIR bulk data: one resource per line) and as a Bundle. Every line yields exactly one
 * outcome: a record, a skipped resource type, or a rejection with a fixed reason. A rejected line changes nothing
 * and the run goes on; reasons never contain line content, so reports and logs stay free of patient data.
 * Nothing here throws on bad input: only a bug can make these functions throw (the spec fuzzes that).
 */

/** The default line limit. A FHIR medication resource is a few kB; 1 MiB leaves room and still bounds memory. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export interface FeedOptions {
  /** lines longer than this (UTF-8 bytes) are rejected as 'line too long' without parsing */
  readonly maxLineBytes?: number;
}

/**
 * The outcome of one line (1-based) or one Bundle entry (1-based entry number; 0 is the Bundle itself).
 * A rejection carries the resource type and the validated patient id when those could be read, so the import can
 * hold back that patient's other records (one patient's records apply all or nothing).
 */
export type FeedLineOutcome =
  | { readonly line: number; readonly record: ExternalRecord }
  | { readonly line: number; readonly skipped: string }
  | {
      readonly line: number;
      readonly rejected: RejectionReason;
      readonly resourceType?: string;
      readonly patientId?: string;
    };

/** What `readLinesLimited` yields in place of an over-long line: its size, never its content. */
export interface OverlongLine {
  readonly overlong: true;
  readonly bytes: number;
}

export type FeedLine = string | OverlongLine;

/** The `skipped` value of an empty line (not a resource type, so it cannot collide with one). */
export const BLANK_LINE = '(blank line)';

export const isOverlong = (line: FeedLine): line is OverlongLine => typeof line !== 'string';

const exceeds = (text: string, maxBytes: number): boolean =>
  // UTF-8 never uses fewer bytes than UTF-16 code units, so the cheap length test settles most lines.
  text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes);

/** One NDJSON line → one outcome. */
export const parseFhirLine = (
  text: FeedLine,
  line: number,
  source: FeedSource,
  options: FeedOptions = {},
): FeedLineOutcome => {
  const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (isOverlong(text) || exceeds(text, maxBytes)) {
    return { line, rejected: 'line too long' };
  }
  const trimmed = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).trim();
  if (trimmed === '') {
    return { line, skipped: BLANK_LINE };
  }
  let resource: unknown;
  try {
    resource = JSON.parse(trimmed);
  } catch {
    // Also a truncated last line, and nesting too deep for the engine (RangeError).
    return { line, rejected: 'malformed JSON' };
  }
  return outcomeOf(resource, line, source);
};

// Feed keys name paths in a rejection reason only when they look like FHIR element names (letters, an optional `_`
// for a primitive's extension): any other key is feed content, possibly a fødselsnummer, and shows as `*`.
const ELEMENT_NAME = /^_?[A-Za-z]{1,64}$/;
// The FHIR elements meant to hold several lines: a dosage instruction's text and an annotation (note).
const MULTI_LINE_ELEMENT = /(^|\.)(dosageInstruction|dosage|note)\[\d+\]\.text$/;

const FEED_TEXT: TextWalk = {
  child: (path, key) => {
    const name = ELEMENT_NAME.test(key) ? key : '*';
    return path === '' ? name : `${path}.${name}`;
  },
  multiLine: (path) => MULTI_LINE_ELEMENT.test(path),
};

/**
 * Free text is text (free-text.ts): every string of a FHIR resource checked, InvalidTextError naming its FHIR path
 * (never its value), and read in NFC. For the feed lines here and the FHIR edge's posted resources alike. Anything
 * but an object passes as it is (toExternalRecord rejects it with its own reason).
 */
export const cleanFhirResource = (resource: unknown): unknown =>
  isJsonObject(resource) ? cleanInputText(resource, '', FEED_TEXT) : resource;

const outcomeOf = (parsed: unknown, line: number, source: FeedSource): FeedLineOutcome => {
  let resource: unknown;
  try {
    resource = cleanFhirResource(parsed);
  } catch (error) {
    if (!(error instanceof InvalidTextError)) {
      throw error;
    }
    return rejectedLine(line, parsed, `invalid text: ${error.field}`);
  }
  try {
    const outcome = toExternalRecord(resource, source);
    return 'record' in outcome ? { line, record: outcome.record } : { line, skipped: outcome.skipped };
  } catch (error) {
    if (!(error instanceof FeedRecordRejectedError)) {
      throw error;
    }
    return rejectedLine(line, resource, error.reason);
  }
};

/** A rejected line with what could be read of it, so the import holds back that patient's other records. */
const rejectedLine = (line: number, resource: unknown, reason: RejectionReason): FeedLineOutcome => {
  const resourceType = resourceTypeOf(resource);
  const patientId = patientHintOf(resource);
  return {
    line,
    rejected: reason,
    ...(resourceType === undefined ? {} : { resourceType }),
    ...(patientId === undefined ? {} : { patientId }),
  };
};

/** Parses NDJSON lines (strings, or the markers of `readLinesLimited`), one outcome per line, in order. */
export async function* parseFhirNdjson(
  lines: AsyncIterable<FeedLine> | Iterable<FeedLine>,
  source: FeedSource,
  options: FeedOptions = {},
): AsyncGenerator<FeedLineOutcome> {
  let line = 0;
  for await (const text of lines) {
    line += 1;
    yield parseFhirLine(text, line, source, options);
  }
}

/** The synchronous form of `parseFhirNdjson`, for in-memory lines (tests, the synthetic benchmark feed). */
export function* parseFhirLines(
  lines: Iterable<FeedLine>,
  source: FeedSource,
  options: FeedOptions = {},
): Generator<FeedLineOutcome> {
  let line = 0;
  for (const text of lines) {
    line += 1;
    yield parseFhirLine(text, line, source, options);
  }
}

/** A FHIR Bundle (already JSON-parsed: bundles are small) → one outcome per `entry[].resource`. */
export const parseFhirBundle = (json: unknown, source: FeedSource): FeedLineOutcome[] => {
  if (!isJsonObject(json) || field(json, 'resourceType') !== 'Bundle') {
    return [{ line: 0, rejected: 'wrong shape: Bundle' }];
  }
  const entries = field(json, 'entry') ?? [];
  if (!Array.isArray(entries)) {
    return [{ line: 0, rejected: 'wrong shape: Bundle.entry' }];
  }
  return entries.map((entry: unknown, i): FeedLineOutcome => {
    const resource = isJsonObject(entry) ? field(entry, 'resource') : undefined;
    return resource === undefined || resource === null
      ? { line: i + 1, rejected: 'wrong shape: Bundle.entry.resource' }
      : outcomeOf(resource, i + 1, source);
  });
};

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

const withoutCr = (line: string): string =>
  line.charCodeAt(line.length - 1) === CARRIAGE_RETURN ? line.slice(0, -1) : line;

/**
 * Splits a byte stream into lines (LF or CRLF), decoding each line as UTF-8 only once it is complete (so a
 * multi-byte character split across chunks is safe). A line longer than `maxLineBytes` is never buffered: its
 * bytes are counted and dropped, and an OverlongLine marker takes its place. A last line without a newline is
 * yielded as is; if the file was truncated, it then fails to parse as 'malformed JSON'.
 */
export async function* readLinesLimited(
  stream: NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<FeedLine> {
  let pieces: Buffer[] = [];
  let size = 0;
  let overlongBytes: number | undefined;
  const finish = (): FeedLine => {
    const result: FeedLine =
      overlongBytes === undefined
        ? withoutCr(Buffer.concat(pieces, size).toString('utf8'))
        : { overlong: true, bytes: overlongBytes };
    pieces = [];
    size = 0;
    overlongBytes = undefined;
    return result;
  };
  for await (const chunk of stream as AsyncIterable<string | Uint8Array>) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk, 'utf8')
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength); // a view, not a copy
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline;
      if (newline !== -1 && size === 0 && overlongBytes === undefined && end - start <= maxLineBytes) {
        // The common case, a whole line inside this chunk: decoded straight from the chunk, no copy.
        yield withoutCr(bytes.toString('utf8', start, end));
        start = newline + 1;
        continue;
      }
      const piece = bytes.subarray(start, end);
      if (overlongBytes !== undefined) {
        overlongBytes += piece.length;
      } else if (size + piece.length > maxLineBytes) {
        overlongBytes = size + piece.length;
        pieces = [];
        size = 0;
      } else {
        // Copy: a subarray would keep the whole chunk alive for as long as the line is pending.
        pieces.push(Buffer.from(piece));
        size += piece.length;
      }
      if (newline === -1) {
        break;
      }
      yield finish();
      start = newline + 1;
    }
  }
  if (overlongBytes !== undefined || size > 0) {
    yield finish();
  }
}
