import { DomainError } from '../shared/errors/domain-error';

/**
 * An identifier (patient id, organisation number, HPR number, HER-id) that fails its format or check-digit rule.
 * The message and details name the field and the reason only, never the value: a fødselsnummer must not reach an
 * error message, a log line or a GraphQL extension (domain.md, "Identifiers"; house-style.md, "Errors").
 */
export class InvalidIdentifierError extends DomainError {
  readonly code = 'INVALID_IDENTIFIER';
  readonly kind = 'invalid' as const;

  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field} is not a valid identifier: ${reason}`, { field, reason });
  }
}
