import { DomainError } from './domain-error';

/**
 * Input that failed class-validator, or a read argument out of range (`unit`, `minPosition`, `first`, `after`).
 * Carries field paths and the rules they broke ("commandId must be at most 100 characters"), never the submitted
 * values: class-validator's messages name the property and the constraint only. Pure: the reads and the access step
 * throw it; the GraphQL normaliser adds its `fields` to the error's extensions.
 */
export class InvalidInputError extends DomainError {
  readonly code = 'INVALID_INPUT';
  readonly kind = 'invalid' as const;
  constructor(
    readonly fields: readonly string[],
    rules: readonly string[] = [],
  ) {
    super(`Invalid input: ${fields.join(', ')}${rules.length === 0 ? '' : ` (${rules.join('; ')})`}`, {
      fields: fields.join(','),
    });
  }
}
