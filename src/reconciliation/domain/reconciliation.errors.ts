import { DomainError } from '../../shared/errors/domain-error';

/**
 * Typed errors of reconciliation, with stable codes. Messages and details carry discrepancy keys (codes and list
 * ids), resolutions and sizes; never a patient id.
 */

export class DiscrepancyNotFoundError extends DomainError {
  readonly code = 'DISCREPANCY_NOT_FOUND';
  readonly kind = 'not-found' as const;
  constructor(key: string) {
    super(`No discrepancy ${key} for this patient`, { key });
  }
}

/** A key that no discrepancy can have (reconciliation.decider.ts DISCREPANCY_KEY): named, never echoed. */
export class InvalidDiscrepancyKeyError extends DomainError {
  readonly code = 'INVALID_DISCREPANCY_KEY';
  readonly kind = 'invalid' as const;
  constructor(rule: string) {
    super(`key must be a discrepancy key as \`discrepancies\` lists it: ${rule}`, { field: 'key' });
  }
}

/** Only an open discrepancy can be resolved (a resolved one with the same resolution is an idempotent no-op). */
export class DiscrepancyNotOpenError extends DomainError {
  readonly code = 'DISCREPANCY_NOT_OPEN';
  readonly kind = 'conflict' as const;
  constructor(key: string, status: string) {
    super(`Discrepancy ${key} is ${status}, not open`, { key, status });
  }
}

/** domain.md: a discrepancy is resolved by a doctor. */
export class DoctorRequiredError extends DomainError {
  readonly code = 'DOCTOR_REQUIRED';
  readonly kind = 'forbidden' as const;
  constructor(role: string) {
    super(`Only a doctor can resolve a discrepancy (actor role ${role})`, { role });
  }
}

/** E.g. `include` for anything but D1, `discontinue` without an entry, `recall` without a list prescription. */
export class ResolutionNotApplicableError extends DomainError {
  readonly code = 'RESOLUTION_NOT_APPLICABLE';
  readonly kind = 'invalid' as const;
  constructor(resolution: string, code: string, why: string) {
    super(`Resolution ${resolution} does not apply to a ${code} discrepancy: ${why}`, { resolution, code });
  }
}

/** domain.md: dismiss "with reason". */
export class ResolutionReasonRequiredError extends DomainError {
  readonly code = 'RESOLUTION_REASON_REQUIRED';
  readonly kind = 'invalid' as const;
  constructor(resolution: string) {
    super(`Resolution ${resolution} needs a reason`, { resolution });
  }
}

/** The registry gave neither a structured nor a free-text dosage: start the treatment by hand instead. */
export class IncludeNeedsDosageError extends DomainError {
  readonly code = 'INCLUDE_NEEDS_DOSAGE';
  readonly kind = 'invalid' as const;
  constructor(prescriptionId: string) {
    super(`Prescription ${prescriptionId} has no dosage to start the treatment with`, { prescriptionId });
  }
}

export class FeedPayloadTooLargeError extends DomainError {
  readonly code = 'FEED_PAYLOAD_TOO_LARGE';
  readonly kind = 'invalid' as const;
  constructor(bytes: number, maxBytes: number) {
    super(`Feed payload of ${bytes} bytes exceeds ${maxBytes}; use the CLI or the scheduled pull`, { bytes, maxBytes });
  }
}

/** importFeed needs exactly one of `ndjson` and `bundle`. */
export class FeedPayloadRequiredError extends DomainError {
  readonly code = 'FEED_PAYLOAD_REQUIRED';
  readonly kind = 'invalid' as const;
  constructor() {
    super('Give exactly one of ndjson and bundle');
  }
}

export class InvalidRunIdError extends DomainError {
  readonly code = 'INVALID_RUN_ID';
  readonly kind = 'invalid' as const;
  constructor() {
    super('A run id is 1–100 characters of A–Z, a–z, 0–9, ".", "_", ":" or "-"');
  }
}

/** The configured pull URL answered with an error status or not at all. */
export class FeedPullFailedError extends DomainError {
  readonly code = 'FEED_PULL_FAILED';
  readonly kind = 'unavailable' as const;
  constructor(why: string) {
    super(`Feed pull failed: ${why}`, { why });
  }
}

/** The pull server sent a cursor that is empty, too long or has control characters. */
export class InvalidFeedCursorError extends DomainError {
  readonly code = 'INVALID_FEED_CURSOR';
  readonly kind = 'invalid' as const;
  constructor(maxLength: number) {
    super(`A feed cursor is 1–${maxLength} printable characters`, { maxLength });
  }
}
