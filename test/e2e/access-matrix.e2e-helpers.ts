import { generateOrganisationNumber } from '../../src/identifiers/norwegian-identifiers';
import type { Operation } from '../../src/access/domain/policy';
import {
  NURSING_HOME_ORG,
  PHARMACY_HER_ID,
  STARTED_ON,
  sampleDosage,
  sampleMedication,
} from '../../src/medication-list/domain/medication-list.fixtures';
import { DEV_FEED_CLIENT, DEV_PHARMACY, type Who } from './app.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * The authorization matrix of issue 5: every role × every operation, with the expected outcome written out here
 * as an independent oracle (not derived from policy.ts). One type-valid GraphQL document per operation, on one
 * patient with an active care relation to NURSING_HOME_ORG.
 */

const orgs = Array.from({ length: 40 }, (_, i) => generateOrganisationNumber(31_000_000 + i)).filter(
  (org): org is string => org !== undefined,
);
/** a nursing home the patient has no relation with */
export const OTHER_CARE_ORG = orgs[1] ?? '';
/** the organisation of the care relation the prescriber's startCareRelation cell creates (touches no other role) */
const THIRD_ORG = orgs[2] ?? '';

export const PATIENT = syntheticPatientId(20);
export const OTHER_PATIENT = syntheticPatientId(21);
export const RELATION_ID = 'rel-matrix';

/** the prescriber's own HPR number (their worklist), and a colleague's */
export const PRESCRIBER_HPR = '999999999';
export const OTHER_HPR = '9144889';

export const EMERGENCY = { reason: 'Bevisstløs pasient i akuttmottak', basisCode: 'HPAKUTT' } as const;

export type RoleName =
  | 'prescriber'
  | 'pharmacy'
  | 'care with relation'
  | 'care without relation'
  | 'patient self'
  | 'other patient'
  | 'auditor'
  | 'emergency reader'
  | 'feed';

export interface Role {
  readonly who: Who;
  /** states an emergency on the operations that take one */
  readonly emergency: boolean;
  readonly allowed: ReadonlySet<Operation>;
}

const LIST_WRITES = [
  'startMedication',
  'changeDosage',
  'pauseMedication',
  'resumeMedication',
  'discontinueMedication',
  'retractMedication',
  'issuePrescription',
  'renewPrescription',
  'recallPrescription',
  'recordDispensing',
  'annulDispensing',
  'registerMultidose',
  'endMultidose',
  'recordMultidosePacking',
  'askMultidoseQuestion',
  'answerMultidoseQuestion',
  'markListReviewed',
  'markListNotReviewed',
  'startCareRelation',
  'endCareRelation',
] as const satisfies readonly Operation[];
type ListWrite = (typeof LIST_WRITES)[number];
// Not the access log, not feed import (the feed role's), not a care organisation's residents (its staff's and
// auditors'), and no dispensing or multidose question: a prescriber without an organisation has no HER-id to record
// it under (issue 15).
const PRESCRIBER_OPERATIONS: readonly Operation[] = [
  ...LIST_WRITES.filter((write) => write !== 'recordDispensing' && write !== 'askMultidoseQuestion'),
  'resolveDiscrepancy',
  'medicationList',
  'medicationHistory',
  'discrepancies',
  'gpWorklist',
  'medicationListChanged',
];

export const ROLES: Readonly<Record<RoleName, Role>> = {
  // gpWorklist: the cell asks for the prescriber's own worklist; another HPR number is denied (the spec's extra case).
  prescriber: {
    who: { role: 'prescriber', hpr: PRESCRIBER_HPR },
    emergency: false,
    allowed: new Set(PRESCRIBER_OPERATIONS),
  },
  pharmacy: {
    // a pharmacy of the dev register, with the HER-id the dispensing names
    who: DEV_PHARMACY,
    emergency: false,
    allowed: new Set<Operation>([
      'recordDispensing',
      'annulDispensing',
      'recordMultidosePacking',
      'askMultidoseQuestion',
      'medicationList',
      'medicationHistory',
    ]),
  },
  'care with relation': {
    who: { role: 'care', org: NURSING_HOME_ORG },
    emergency: false,
    allowed: new Set<Operation>([
      'medicationList',
      'medicationHistory',
      'medicationListChanged',
      'careUnit',
      'careUnitChanged',
    ]),
  },
  'care without relation': { who: { role: 'care', org: OTHER_CARE_ORG }, emergency: false, allowed: new Set() },
  'patient self': {
    who: { role: 'patient', pid: PATIENT },
    emergency: false,
    allowed: new Set<Operation>(['medicationList', 'medicationHistory', 'accessLog']),
  },
  'other patient': { who: { role: 'patient', pid: OTHER_PATIENT }, emergency: false, allowed: new Set() },
  auditor: {
    who: { role: 'auditor' },
    emergency: false,
    allowed: new Set<Operation>(['accessLog', 'careUnit', 'careUnitChanged']),
  },
  // A nurse (HPR number) at a nursing home without a relation, breaking the glass on every read that takes it.
  'emergency reader': {
    who: { role: 'care', org: OTHER_CARE_ORG, hpr: '1234567' },
    emergency: true,
    allowed: new Set<Operation>(['medicationList', 'medicationHistory']),
  },
  // client credentials: an organisation, no person (issue 15)
  feed: { who: DEV_FEED_CLIENT, emergency: false, allowed: new Set<Operation>(['importFeed']) },
};

export interface OperationCall {
  readonly kind: 'query' | 'mutation' | 'subscription';
  readonly document: (emergency: boolean) => string;
  readonly variables: Record<string, unknown>;
}

const listInputs: Readonly<Record<ListWrite, Record<string, unknown>>> = {
  startMedication: {
    entryId: 'entry-matrix',
    medication: sampleMedication,
    use: '1',
    dosage: sampleDosage,
    startedOn: STARTED_ON,
    prescriptionType: 'E',
  },
  changeDosage: { entryId: 'entry-matrix', dosage: sampleDosage, effectiveFrom: '2026-03-09', reason: 'Lavere dose' },
  pauseMedication: { entryId: 'entry-matrix', pausedAt: '2026-03-10T08:00:00Z', reason: 'Innlagt' },
  resumeMedication: { entryId: 'entry-matrix', resumedAt: '2026-03-12T08:00:00Z' },
  discontinueMedication: { entryId: 'entry-none', discontinuedAt: '2026-03-01T09:00:00Z', reasonCode: 'L' },
  retractMedication: { entryId: 'entry-none', retractedAt: '2026-03-01T08:00:00Z', reason: 'Feil pasient' },
  issuePrescription: {
    prescriptionId: 'rx-matrix',
    entryId: 'entry-matrix',
    issuedAt: '2026-03-01T09:00:00Z',
    dispensingsAllowed: 3,
  },
  renewPrescription: {
    prescriptionId: 'rx-matrix',
    newPrescriptionId: 'rx-matrix-2',
    renewedAt: '2026-03-01T10:00:00Z',
    withChange: false,
  },
  recallPrescription: { prescriptionId: 'rx-none', recalledAt: '2026-03-01T09:00:00Z', reasonCode: '4' },
  recordDispensing: {
    dispensingId: 'disp-matrix',
    prescriptionId: 'rx-matrix',
    dispensedAt: '2026-03-01T12:00:00+01:00',
    product: sampleMedication,
    quantity: { value: 100, unit: 'tablett' },
    pharmacyHerId: PHARMACY_HER_ID,
    prescriptionUsedUp: false,
  },
  annulDispensing: { dispensingId: 'disp-none', annulledAt: '2026-03-01T08:00:00Z', reason: 'Feil pakning' },
  registerMultidose: { responsibleDoctorHpr: '9144889', pharmacyHerId: PHARMACY_HER_ID, from: STARTED_ON },
  endMultidose: { endedOn: '2026-04-01', reason: 'Flyttet' },
  recordMultidosePacking: {
    packingId: 'pack-matrix',
    firstDoseOn: '2026-03-09',
    lastDoseOn: '2026-03-22',
    orderDeadline: '2026-03-05',
    entries: [{ entryId: 'entry-matrix', packed: true }],
  },
  askMultidoseQuestion: {
    questionId: 'q-matrix',
    entryId: 'entry-matrix',
    questionCode: '2',
    text: 'Med i listen?',
    askedAt: '2026-03-01T10:00:00+01:00',
    pharmacyHerId: PHARMACY_HER_ID,
  },
  answerMultidoseQuestion: {
    questionId: 'q-none',
    answerCode: '3',
    text: 'Ja',
    answeredAt: '2026-03-01T14:00:00+01:00',
  },
  markListReviewed: { kind: 'reconciliation', reviewedAt: '2026-03-01T09:00:00Z' },
  markListNotReviewed: { reason: 'Innlagt sykehus', markedAt: '2026-03-01T09:00:00Z' },
  startCareRelation: { relationId: 'rel-third', organisationNumber: THIRD_ORG, from: '2026-01-01' },
  endCareRelation: { relationId: 'rel-third', endedOn: '2026-03-01' },
};

const capitalised = (name: string): string => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

const listMutation = (name: ListWrite): OperationCall => ({
  kind: 'mutation',
  document: () => `mutation M($input: ${capitalised(name)}Input!) { ${name}(input: $input) { version } }`,
  variables: { input: { patientId: PATIENT, ...listInputs[name] } },
});

const emergencyArgument = (emergency: boolean): string => (emergency ? ', emergency: $emergency' : '');
const emergencyVariable = (emergency: boolean): string => (emergency ? ', $emergency: EmergencyAccessInput' : '');

const OTHER_CALLS: Readonly<Record<Exclude<Operation, ListWrite>, OperationCall>> = {
  resolveDiscrepancy: {
    kind: 'mutation',
    document: () =>
      'mutation R($patientId: String!) { resolveDiscrepancy(patientId: $patientId, key: "D1|rx-none", resolution: ACCEPT) { alreadyApplied } }',
    variables: { patientId: PATIENT },
  },
  importFeed: {
    kind: 'mutation',
    document: () => 'mutation I($ndjson: String) { importFeed(source: EPRESCRIPTION, ndjson: $ndjson) { runId } }',
    variables: { ndjson: '' },
  },
  medicationList: {
    kind: 'query',
    document: (e) =>
      `query L($patientId: String!${emergencyVariable(e)}) { medicationList(patientId: $patientId${emergencyArgument(e)}) { version } }`,
    variables: { patientId: PATIENT, emergency: EMERGENCY },
  },
  medicationHistory: {
    kind: 'query',
    document: (e) =>
      `query H($patientId: String!${emergencyVariable(e)}) { medicationHistory(patientId: $patientId${emergencyArgument(e)}) { type } }`,
    variables: { patientId: PATIENT, emergency: EMERGENCY },
  },
  discrepancies: {
    kind: 'query',
    document: () => 'query D($patientId: String!) { discrepancies(patientId: $patientId) { key } }',
    variables: { patientId: PATIENT },
  },
  accessLog: {
    kind: 'query',
    document: () => 'query A($patientId: String!) { accessLog(patientId: $patientId) { hasNextPage } }',
    variables: { patientId: PATIENT },
  },
  careUnit: {
    kind: 'query',
    document: () => 'query C($org: String!) { careUnit(organisationNumber: $org) { organisationNumber } }',
    variables: { org: NURSING_HOME_ORG },
  },
  gpWorklist: {
    kind: 'query',
    document: () => 'query G($hpr: String!) { gpWorklist(hprNumber: $hpr) { hprNumber } }',
    variables: { hpr: PRESCRIBER_HPR },
  },
  medicationListChanged: {
    kind: 'subscription',
    document: () => 'subscription S($patientId: String!) { medicationListChanged(patientId: $patientId) { version } }',
    variables: { patientId: PATIENT },
  },
  careUnitChanged: {
    kind: 'subscription',
    document: () =>
      'subscription U($org: String!) { careUnitChanged(organisationNumber: $org) { organisationNumber } }',
    variables: { org: NURSING_HOME_ORG },
  },
};

const isListWrite = (operation: Operation): operation is ListWrite => LIST_WRITES.some((name) => name === operation);

/** The call of an operation (a list mutation, or one of the others). */
export const callOf = (operation: Operation): OperationCall =>
  isListWrite(operation) ? listMutation(operation) : OTHER_CALLS[operation];

/** Every operation the matrix has a call for. */
export const COVERED_OPERATIONS: readonly Operation[] = [...LIST_WRITES, ...(Object.keys(OTHER_CALLS) as Operation[])];

/** The variables a call sends: the emergency statement only when the document declares it. */
export const variablesOf = (call: OperationCall, emergency: boolean): Record<string, unknown> =>
  Object.fromEntries(Object.entries(call.variables).filter(([key]) => key !== 'emergency' || emergency));
