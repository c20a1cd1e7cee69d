import type { Resource } from '@medplum/fhirtypes';
import { FhirRequestError } from './fhir.errors';

/**
 * The search parameters the FHIR edge implements besides the patient: `status` (comma-separated tokens: any of
 * them) and `_lastUpdated` (one or more of ge|gt|le|lt|eq + instant or date, all must hold), and `_at` for the
 * List. Pure; an unreadable value is 400 naming the parameter.
 */

type Query = Readonly<Record<string, unknown>>;

const values = (raw: unknown): string[] => (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);

/** An instant or a date (YYYY, YYYY-MM, YYYY-MM-DD or a full dateTime); throws 400 naming `parameter`. */
export const instantOf = (raw: string, parameter: string): Date => {
  const time = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(raw)
    ? Date.parse(raw)
    : Number.NaN;
  if (Number.isNaN(time)) {
    throw new FhirRequestError(400, 'value', `${parameter}: not a FHIR date or instant`, parameter);
  }
  return new Date(time);
};

const equal = (a: number, b: number): boolean => a === b;
const COMPARATORS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  ge: (a, b) => a >= b,
  gt: (a, b) => a > b,
  le: (a, b) => a <= b,
  lt: (a, b) => a < b,
  eq: equal,
};

const lastUpdatedFilter = (raw: unknown): ((resource: Resource) => boolean) => {
  const tests = values(raw).map((value) => {
    const prefix = /^(ge|gt|le|lt|eq)/.exec(value)?.[1] ?? 'eq';
    const at = instantOf(value.slice(/^(ge|gt|le|lt|eq)/.test(value) ? 2 : 0), '_lastUpdated').getTime();
    const compare = COMPARATORS[prefix] ?? equal;
    return (time: number): boolean => compare(time, at);
  });
  return (resource) => {
    const time = Date.parse(resource.meta?.lastUpdated ?? '');
    return tests.every((test) => !Number.isNaN(time) && test(time));
  };
};

/** The resources that match `status` and `_lastUpdated` (absent: all). */
export const filterResources = <T extends Resource>(resources: readonly T[], query: Query): T[] => {
  const statuses = values(query.status)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const updated = query._lastUpdated === undefined ? undefined : lastUpdatedFilter(query._lastUpdated);
  return resources.filter((resource) => {
    const status: unknown = Reflect.get(resource, 'status');
    return (
      (statuses.length === 0 || (typeof status === 'string' && statuses.includes(status))) &&
      (updated === undefined || updated(resource))
    );
  });
};

const SUPPORTED = new Set([
  'patient.identifier',
  'subject.identifier',
  'status',
  '_lastUpdated',
  '_at',
  '_include',
  '_format',
  '_count',
]);

/** FHIR servers may ignore unknown parameters; we refuse them (handling=strict) so a typo never widens a search. */
export const assertKnownParameters = (query: Query): void => {
  for (const name of Object.keys(query)) {
    if (!SUPPORTED.has(name)) {
      throw new FhirRequestError(
        400,
        'not-supported',
        `unsupported search parameter: ${name.slice(0, 40)}`,
        name.slice(0, 40),
      );
    }
  }
};
