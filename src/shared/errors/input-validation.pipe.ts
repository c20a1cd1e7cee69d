import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { cleanInputText } from '../text/free-text';
import { InvalidInputError } from './graphql-error.normaliser';

/**
 * The global input pipe (APP_PIPE): every argument's text checked and put into NFC (free-text.ts), then
 * class-validator on whitelisted DTOs. Failures are typed errors the normaliser maps (graphql-error.normaliser.ts):
 * INVALID_TEXT naming the field, or InvalidInputError with field paths and the rules they broke, never values.
 */

interface BrokenField {
  readonly path: string;
  readonly rules: readonly string[];
}

const brokenFields = (errors: readonly ValidationError[], prefix = ''): BrokenField[] =>
  errors.flatMap((error) => {
    const path = prefix === '' ? error.property : `${prefix}.${error.property}`;
    const own = error.constraints === undefined ? [] : [{ path, rules: Object.values(error.constraints) }];
    return [...own, ...brokenFields(error.children ?? [], path)];
  });

const toInvalidInput = (errors: readonly ValidationError[]): InvalidInputError => {
  const broken = brokenFields(errors);
  return new InvalidInputError(
    broken.map((field) => field.path),
    broken.flatMap((field) => field.rules),
  );
};

// Whole documents in one argument (importFeed): the feed parser checks each string of each resource instead.
const DOCUMENT_ARGUMENTS: ReadonlySet<string> = new Set(['ndjson', 'bundle']);

/**
 * Free text is text (free-text.ts) before class-validator looks: every string of every argument checked (INVALID_TEXT
 * naming the field, BAD_USER_INPUT) and put into NFC. Fields of a mutation's `input` are named relative to it, as
 * InvalidInputError's are (`medication.displayName`); any other argument by its name (`reason`, `emergency.reason`).
 */
class TextCheckingValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const name = metadata.data ?? 'value';
    // Custom parameters (the request context) are the server's own values, not a client's input.
    const isInput = metadata.type !== 'custom' && !DOCUMENT_ARGUMENTS.has(name);
    const cleaned = isInput ? cleanInputText(value, name === 'input' ? '' : name) : value;
    return super.transform(cleaned, metadata);
  }
}

/** The global ValidationPipe: text checked, whitelisted DTOs, failures as InvalidInputError (field names, no values). */
export const createInputValidationPipe = (): ValidationPipe =>
  new TextCheckingValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
    exceptionFactory: toInvalidInput,
  });
