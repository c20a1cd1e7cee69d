import { DomainError } from '../errors/domain-error';

/**
 * Free text is text (issue 14): a stored display name, note or id holds no C0 or C1 control characters (tab and
 * newline only where a field is meant to hold several lines), no DEL, no unpaired surrogates and no bidirectional
 * embedding, override or isolate characters, which reorder what a reader sees (a dose that reads differently on
 * screen than it is stored). Accepted text is stored in Unicode NFC, so the same words compare and fingerprint the
 * same. One rule for every edge: the GraphQL input pipe, the access guard (emergency reasons), the feed parser and
 * the deciders' text checks all use it. Carriage return is refused too: a line break is one newline.
 */

/** Fields meant to hold several lines: a note, a reason, a question's or answer's text, a dosage instruction. */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(['note', 'reason', 'text', 'instruction']);

const TAB = 0x09;
const NEWLINE = 0x0a;

// A code-unit scan rather than a regular expression: it is the hot path of every string of every request and feed
// line, and it states the ranges without control characters in the source.
const isForbiddenUnit = (unit: number, multiLine: boolean): boolean =>
  unit < 0x20
    ? !(multiLine && (unit === TAB || unit === NEWLINE))
    : (unit >= 0x7f && unit <= 0x9f) || // DEL and C1
      (unit >= 0x202a && unit <= 0x202e) || // LRE RLE PDF LRO RLO
      (unit >= 0x2066 && unit <= 0x2069); // LRI RLI FSI PDI

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

// What one scan of a string found (bits): a character no field takes, a tab or newline, a character at or above
// U+0300 (below it every string is already in NFC, so the common case needs no normalize call).
const REFUSED = 1;
const LINE_BREAK = 2;
const MAY_CHANGE_IN_NFC = 4;
// The first code point that can compose or decompose in NFC (U+0300, combining grave accent).
const FIRST_NON_NFC_STABLE = 0x300;

const scan = (value: string): number => {
  let found = 0;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit >= FIRST_NON_NFC_STABLE) {
      found |= MAY_CHANGE_IN_NFC;
    }
    if (isHighSurrogate(unit)) {
      if (!isLowSurrogate(value.charCodeAt(i + 1))) {
        return found | REFUSED;
      }
      i += 1; // the pair is one character outside the ranges below
    } else if (unit === TAB || unit === NEWLINE) {
      found |= LINE_BREAK;
    } else if (isLowSurrogate(unit) || isForbiddenUnit(unit, true)) {
      return found | REFUSED;
    }
  }
  return found;
};

/** Whether `value` is acceptable text for a field (multi-line: tab and newline allowed). */
export const isCleanText = (value: string, multiLine: boolean): boolean => {
  const found = scan(value);
  return (found & REFUSED) === 0 && (multiLine || (found & LINE_BREAK) === 0);
};

const lastSegment = (path: string): string => {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const bracket = name.indexOf('[');
  return bracket === -1 ? name : name.slice(0, bracket);
};

/** Whether a field of this name holds several lines (the last segment of a path such as `dosage.instruction`). */
export const isMultiLineField = (path: string): boolean => MULTI_LINE_FIELDS.has(lastSegment(path));

/** A text field holds a character that text must not: names the field, never echoes the value. */
export class InvalidTextError extends DomainError {
  readonly code = 'INVALID_TEXT';
  readonly kind = 'invalid' as const;
  constructor(
    readonly field: string,
    multiLine: boolean = isMultiLineField(field),
  ) {
    super(
      `${field} contains a control, bidirectional override or unpaired surrogate character; send plain text` +
        (multiLine ? ' (tab and newline are allowed here)' : ' on one line'),
      { field },
    );
  }
}

/** Throws InvalidTextError for unclean text. */
export const assertCleanText = (value: string, field: string, multiLine: boolean = isMultiLineField(field)): void => {
  if (!isCleanText(value, multiLine)) {
    throw new InvalidTextError(field, multiLine);
  }
};

/** Checked and in NFC (the same string when it already is, as nearly all text is). */
export const cleanText = (value: string, field: string, multiLine: boolean = isMultiLineField(field)): string => {
  assertCleanText(value, field, multiLine);
  return value.normalize('NFC');
};

const isPlainObject = (value: unknown): value is Readonly<Record<string, unknown>> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** How `cleanInputText` names a nested field and decides whether it holds several lines. */
export interface TextWalk {
  readonly child: (path: string, key: string) => string;
  readonly multiLine: (path: string) => boolean;
}

const DEFAULT_WALK: TextWalk = {
  child: (path, key) => (path === '' ? key : `${path}.${key}`),
  multiLine: isMultiLineField,
};

/**
 * Every string in an input (plain objects and arrays, at any depth) checked, InvalidTextError naming its path, and
 * put into NFC. Other values (numbers, Dates, class instances) pass as they are. Returns the input itself when
 * nothing changed. Paths are built only for a string that needs one (a refusal, or a line break to judge): this
 * runs on every line of a feed.
 */
export const cleanInputText = <T>(value: T, path: string, walk: TextWalk = DEFAULT_WALK): T =>
  cleanAt(value, () => path, walk) as T;

const cleanString = (value: string, pathOf: () => string, walk: TextWalk): string => {
  const found = scan(value);
  if ((found & REFUSED) !== 0) {
    throw new InvalidTextError(pathOf(), walk.multiLine(pathOf()));
  }
  if ((found & LINE_BREAK) !== 0 && !walk.multiLine(pathOf())) {
    throw new InvalidTextError(pathOf(), false);
  }
  return (found & MAY_CHANGE_IN_NFC) === 0 ? value : value.normalize('NFC');
};

const cleanAt = (value: unknown, pathOf: () => string, walk: TextWalk): unknown => {
  if (typeof value === 'string') {
    return cleanString(value, pathOf, walk);
  }
  if (Array.isArray(value)) {
    const items = value as readonly unknown[];
    let copy: unknown[] | undefined;
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index];
      const cleaned = cleanAt(item, () => `${pathOf()}[${index}]`, walk);
      if (cleaned !== item) {
        copy ??= [...items];
        copy[index] = cleaned;
      }
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) {
    return value;
  }
  let copy: object | undefined;
  for (const key of Object.keys(value)) {
    const field = value[key];
    const cleaned = cleanAt(field, () => walk.child(pathOf(), key), walk);
    if (cleaned !== field) {
      copy ??= copyOf(value);
      // defineProperty, not assignment: a JSON key `__proto__` stays a plain property and never sets a prototype.
      Object.defineProperty(copy, key, { value: cleaned, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? value;
};

const copyOf = (value: Readonly<Record<string, unknown>>): object => {
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as object;
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, { value: value[key], enumerable: true, writable: true, configurable: true });
  }
  return copy;
};
