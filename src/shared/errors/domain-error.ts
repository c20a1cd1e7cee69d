/**
 * Base of every typed error the domain and the adapters raise. `code` is stable and client-visible;
 * `kind` decides how the GraphQL edge maps it (`extensions.code`). Messages carry ids only, never
 * patient identifiers or other personal data.
 */
export type DomainErrorKind = 'invalid' | 'forbidden' | 'not-found' | 'conflict' | 'unavailable';

export type ErrorDetails = Readonly<Record<string, string | number | boolean>>;

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: DomainErrorKind;

  constructor(
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
