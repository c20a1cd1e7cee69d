import fc from 'fast-check';
import type { MedicationStatement } from '@medplum/fhirtypes';
import { currentMedicationListProjection as projection } from '../current-medication-list/current-medication-list.projection';
import type { CurrentMedicationListDocument } from '../current-medication-list/current-medication-list.document';
import { documentsOf, eventFactory, project } from '../projection.spec-helpers';
import type { ProjectionEvent } from '../projection';
import {
  LIST_ID,
  STREAM,
  asNeeded,
  fishOil,
  multidosePharmacy,
  paracet,
  pharmacy,
  tapering,
  twiceDaily,
  validListEvents,
} from '../current-medication-list/current-medication-list.spec-helpers';
import { toExternalRecord } from '../../src/reconciliation/feeds/fhir-resources';
import { OID } from '../../src/identifiers/norwegian-identifiers';
import type { Dosage } from '../../src/medication-list/domain/medication-list.events';
import { listOf, statementsOf } from './fhir-list';
import { dispensesOfEntries, requestsOfEntries } from './fhir-prescriptions';
import { auditEventOf } from './fhir-audit-event';
import { EXTENSION, fhirIdOf, medicationConcept, parseFhirId } from './fhir-systems';
import { expectValidR4 } from './fhir-validator.spec-helpers';

const PATIENT = { system: OID.fnr, value: '31129956715' };
const at = (hour: number): string => new Date(Date.parse('2026-01-05T08:00:00.000Z') + hour * 3_600_000).toISOString();

/** `given(events)`: the current-list document folded from them, as the projector keeps it. */
const given = (events: readonly ProjectionEvent[]): CurrentMedicationListDocument =>
  documentsOf<CurrentMedicationListDocument>(project(projection, events))[LIST_ID] ?? fail('no document');

const history = () => {
  const { event } = eventFactory();
  const started = (entryId: string, dosage: Dosage = twiceDaily, medication = paracet) =>
    event(STREAM, 'MedicationStarted', {
      entryId,
      medication,
      use: '1',
      indication: 'smerter',
      dosage,
      startedOn: '2026-01-05',
      prescriptionType: 'E',
    });
  return { event, started };
};

const statementOf = (document: CurrentMedicationListDocument, entryId: string): MedicationStatement =>
  statementsOf(document, PATIENT).find((s) => s.identifier?.[0]?.value === entryId) ?? fail(`no statement ${entryId}`);

describe('FHIR mappers: MedicationStatement per entry', () => {
  it.each([
    ['active', [] as const, 'active'],
    ['paused', ['pause'] as const, 'on-hold'],
    ['discontinued', ['discontinue'] as const, 'stopped'],
    ['retracted', ['retract'] as const, 'entered-in-error'],
  ])('given an entry %s, then the statement status is the FHIR one', (_state, steps, status) => {
    const { event, started } = history();
    const events = [started('e1')];
    for (const step of steps) {
      events.push(
        step === 'pause'
          ? event(STREAM, 'MedicationPaused', { entryId: 'e1', pausedAt: at(1), reason: 'operasjon' })
          : step === 'discontinue'
            ? event(STREAM, 'MedicationDiscontinued', {
                entryId: 'e1',
                discontinuedAt: at(1),
                reason: { code: 'L', note: 'utslett' },
              })
            : event(STREAM, 'MedicationRetracted', { entryId: 'e1', reason: 'feil pasient', retractedAt: at(1) }),
      );
    }
    const statement = statementOf(given(events), 'e1');
    expect(statement.status).toBe(status);
    expectValidR4(statement);
  });

  it('given a discontinued entry, then statusReason carries the 7494 code and the note', () => {
    const { event, started } = history();
    const document = given([
      started('e1'),
      event(STREAM, 'MedicationDiscontinued', {
        entryId: 'e1',
        discontinuedAt: at(1),
        reason: { code: 'L', note: 'utslett' },
      }),
    ]);
    expect(statementOf(document, 'e1').statusReason).toEqual([
      { coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.7494', code: 'L', display: 'Bivirkning' }], text: 'utslett' },
    ]);
  });

  it('given a catalogue drug, then the concept has FEST by level in FHI’s naming systems, ATC and the name as text', () => {
    expect(medicationConcept(paracet)).toEqual({
      coding: [
        {
          system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare',
          code: paracet.festId,
          display: paracet.displayName,
        },
        { system: 'http://www.whocc.no/atc', code: 'N02BE01' },
      ],
      text: paracet.displayName,
    });
    expect(medicationConcept(fishOil)).toEqual({ text: fishOil.displayName });
  });

  it('given a tapering dosage, then each period is its own Dosage bounded by timing.repeat.boundsPeriod', () => {
    const { started } = history();
    const dosage = statementOf(given([started('e1', tapering)]), 'e1').dosage ?? [];
    expect(dosage.map((d) => d.timing?.repeat?.boundsPeriod)).toEqual([
      { start: '2026-01-05', end: '2026-01-11' },
      { start: '2026-01-12' },
    ]);
    expect(dosage.map((d) => d.timing?.repeat?.timeOfDay)).toEqual([['08:00:00'], ['08:00:00']]);
    expect(dosage[1]?.timing?.repeat?.dayOfWeek).toEqual(['mon', 'wed', 'fri']);
  });

  it('given fixed doses at parts of the day, then timing.repeat.when carries the FHIR event timing', () => {
    const { started } = history();
    const dosage = statementOf(given([started('e1', twiceDaily)]), 'e1').dosage ?? [];
    expect(dosage.map((d) => d.timing?.repeat?.when)).toEqual([['MORN'], ['EVE']]);
    expect(dosage[0]?.text).toBe('1+0+1');
  });

  it('given an as-needed dosage, then asNeeded with maxDosePerPeriod per day and the minimum interval', () => {
    const { started } = history();
    const [dose] = statementOf(given([started('e1', asNeeded)]), 'e1').dosage ?? [];
    expect(dose).toMatchObject({
      asNeededBoolean: true,
      timing: { repeat: { frequency: 1, period: 6, periodUnit: 'h' } },
      maxDosePerPeriod: { numerator: { value: 4 }, denominator: { value: 1, code: 'd' } },
    });
  });

  it('given a multidose patient, then the packing status is in the documented extension', () => {
    const { event, started } = history();
    const document = given([
      started('e1'),
      event(STREAM, 'MultidoseRegistered', {
        responsibleDoctorHpr: '9144889',
        pharmacyHerId: '99887',
        from: '2026-01-05',
      }),
      event(
        STREAM,
        'MultidosePackingRecorded',
        {
          packingId: 'k1',
          firstDoseOn: '2026-01-06',
          lastDoseOn: '2026-01-19',
          orderDeadline: '2026-01-15',
          entries: [{ entryId: 'e1', packed: false }],
        },
        { actor: multidosePharmacy },
      ),
    ]);
    expect(statementOf(document, 'e1').extension).toEqual([
      { url: EXTENSION.multidose, valueCode: 'outside-multidose' },
    ]);
  });
});

describe('FHIR mappers: List, MedicationRequest, MedicationDispense', () => {
  it('given a list, then the List is a snapshot whose entries reference each statement, version in meta', () => {
    const { event, started } = history();
    const document = given([
      started('e1'),
      started('e2'),
      event(STREAM, 'MedicationDiscontinued', { entryId: 'e2', discontinuedAt: at(2), reason: { code: 'A' } }),
    ]);
    const list = listOf(document, PATIENT);
    expect(list).toMatchObject({
      id: LIST_ID,
      mode: 'snapshot',
      status: 'current',
      meta: { versionId: '3' },
      subject: { identifier: PATIENT },
    });
    expect(list.entry?.map((e) => e.item.reference)).toEqual(
      ['e1', 'e2'].map((id) => `MedicationStatement/${fhirIdOf(LIST_ID, 'statement', id)}`),
    );
    expectValidR4(list);
  });

  it('given an empty list, then the List says so with an emptyReason', () => {
    const list = listOf(
      { ...given([history().started('e1')]), entries: [], discontinued: [], recentChanges: [] },
      PATIENT,
    );
    expect(list.emptyReason?.coding?.[0]?.code).toBe('nilknown');
    expectValidR4(list);
  });

  it('given a renewed prescription with dispensings, then the request has validity, repeats, what is left and its prior', () => {
    const { event, started } = history();
    const document = given([
      started('e1'),
      event(STREAM, 'PrescriptionIssued', {
        prescriptionId: 'p1',
        entryId: 'e1',
        issuedAt: at(1),
        expiresOn: '2027-01-05',
        dispensingsAllowed: 3,
      }),
      event(STREAM, 'PrescriptionRecalled', {
        prescriptionId: 'p1',
        entryId: 'e1',
        recalledAt: at(2),
        reasonCode: '1',
      }),
      event(STREAM, 'PrescriptionIssued', {
        prescriptionId: 'p2',
        entryId: 'e1',
        issuedAt: at(2),
        expiresOn: '2027-01-06',
        dispensingsAllowed: 2,
        renewsPrescriptionId: 'p1',
      }),
      event(
        STREAM,
        'DispensingRecorded',
        {
          dispensingId: 'd1',
          prescriptionId: 'p2',
          dispensedAt: at(3),
          product: paracet,
          quantity: { value: 20, unit: 'tablett' },
          pharmacyHerId: '81234',
          prescriptionUsedUp: false,
        },
        { actor: pharmacy },
      ),
    ]);
    const [request] = requestsOfEntries({ listId: LIST_ID, patient: PATIENT }, document.entries);
    expect(request).toMatchObject({
      status: 'active',
      identifier: [{ value: 'p2' }],
      dispenseRequest: { validityPeriod: { end: '2027-01-06' }, numberOfRepeatsAllowed: 1 },
      priorPrescription: { identifier: { value: 'p1' } },
      extension: [{ valueCoding: { code: 'U' } }, { url: EXTENSION.dispensingsLeft, valueInteger: 1 }],
    });
    const [dispense] = dispensesOfEntries({ listId: LIST_ID, patient: PATIENT }, document.entries);
    expect(dispense).toMatchObject({
      status: 'completed',
      whenHandedOver: at(3),
      performer: [{ actor: { identifier: { system: OID.herId, value: '81234' } } }],
    });
    expectValidR4(request ?? fail('no request'));
    expectValidR4(dispense ?? fail('no dispense'));
  });

  it('given an opaque id, then it parses back to the list and part, and never contains the patient id', () => {
    const id = fhirIdOf(LIST_ID, 'dispense', 'd1');
    expect(parseFhirId(id)).toMatchObject({ listId: LIST_ID, kind: 'dispense' });
    expect(id).toMatch(/^[A-Za-z0-9.-]{1,64}$/);
    expect(parseFhirId('31129956715')).toBeUndefined();
  });
});

describe('FHIR mappers: AuditEvent', () => {
  it.each([
    [
      {
        operation: 'medicationList',
        basis: 'care-relation',
        outcome: 'allowed',
        flagged: false,
        callerHpr: '9144889',
        callerOrganisation: '123456785',
        callerRole: 'care',
        at: at(0),
      },
    ],
    [
      {
        operation: 'medicationList',
        basis: 'emergency',
        outcome: 'allowed',
        flagged: true,
        emergencyReason: 'bevisstløs',
        emergencyBasisCode: 'HPAKUTT',
        callerHpr: '9144889',
        callerRole: 'prescriber',
        at: at(0),
      },
    ],
    [
      {
        operation: 'recordDispensing',
        outcome: 'denied',
        reasonCode: 'ROLE_NOT_PERMITTED',
        flagged: false,
        callerRole: 'none',
        at: at(0),
      },
    ],
    [
      {
        operation: 'accessLog',
        basis: 'own-data',
        outcome: 'allowed',
        flagged: false,
        callerRole: 'patient',
        at: at(0),
      },
    ],
  ] as const)('given an access-log entry, then a valid AuditEvent (%#)', (data) => {
    const audit = auditEventOf(`${LIST_ID}.a1`, data, LIST_ID, PATIENT);
    expect(audit.outcome).toBe(data.outcome === 'allowed' ? '0' : '4');
    expect(audit.purposeOfEvent !== undefined).toBe(data.flagged);
    expect(audit.action).toBe(data.operation === 'recordDispensing' ? 'U' : 'R');
    expectValidR4(audit);
  });

  it('names a feed import from the command line by its operator and the feed (no HPR number, no organisation)', () => {
    const audit = auditEventOf(
      `${LIST_ID}.a2`,
      {
        operation: 'importFeed',
        basis: 'feed',
        outcome: 'allowed',
        flagged: false,
        clientId: 'command-line:kari@ward-host-1',
        feedSource: 'eprescription',
        callerRole: 'feed',
        at: at(0),
      },
      LIST_ID,
      PATIENT,
    );
    expect(audit.agent[0]?.who).toEqual({ display: 'command-line:kari@ward-host-1' });
    expect(audit.entity?.[0]?.description).toBe('basis: feed (eprescription)');
    expectValidR4(audit);
  });
});

describe('FHIR mappers: every state the generator produces', () => {
  const documentsOfRun = (events: readonly ProjectionEvent[]): CurrentMedicationListDocument[] =>
    Object.values(documentsOf<CurrentMedicationListDocument>(project(projection, events))).filter(
      (d) => d !== undefined,
    );

  it('passes the R4 validator (List, statements, requests, dispenses)', () => {
    fc.assert(
      fc.property(validListEvents(40), (events) => {
        for (const document of documentsOfRun(events)) {
          const list = { listId: document.listId, patient: PATIENT };
          const all = [...document.entries, ...document.discontinued];
          for (const resource of [
            listOf(document, PATIENT),
            ...statementsOf(document, PATIENT),
            ...requestsOfEntries(list, all),
            ...dispensesOfEntries(list, all),
          ]) {
            expectValidR4(resource);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  /** What the feed parser can read back: text instruction or short code as the instruction, no short code. */
  const asParsed = (dosage: Dosage): Dosage => {
    const { shortCode, instruction, ...rest } = dosage;
    const text = instruction ?? shortCode;
    return { ...rest, ...(text === undefined ? {} : { instruction: text }) };
  };

  it('round-trips list → FHIR → feed parser: same medication, dosage and identifiers', () => {
    fc.assert(
      fc.property(validListEvents(40), (events) => {
        for (const document of documentsOfRun(events)) {
          const list = { listId: document.listId, patient: PATIENT };
          const all = [...document.entries, ...document.discontinued];
          for (const entry of all) {
            const parsed = toExternalRecord(statementOf(document, entry.entryId), 'core-record');
            expect(parsed).toEqual({
              record: expect.objectContaining({
                kind: 'statement',
                statementId: entry.entryId,
                patientId: PATIENT.value,
                medication: entry.medication,
                dosage: asParsed(entry.dosage),
                ...(entry.prescription === null ? {} : { prescriptionId: entry.prescription.prescriptionId }),
              }) as unknown,
            });
          }
          for (const request of requestsOfEntries(list, all)) {
            const entry =
              all.find((e) => e.prescription?.prescriptionId === request.identifier?.[0]?.value) ?? fail('no entry');
            const prescription = entry.prescription ?? fail('no prescription');
            expect(toExternalRecord(request, 'eprescription')).toEqual({
              record: expect.objectContaining({
                kind: 'prescription',
                prescriptionId: prescription.prescriptionId,
                status: prescription.status,
                medication: entry.medication,
                dosage: asParsed(entry.dosage),
                expiresOn: prescription.expiresOn,
                ...(prescription.dispensingsAllowed === null
                  ? {}
                  : { dispensingsAllowed: Math.max(prescription.dispensingsAllowed, 1) }),
              }) as unknown,
            });
          }
          for (const dispensing of all.flatMap((e) => ('dispensings' in e ? e.dispensings : []))) {
            const [dispense] = dispensesOfEntries(list, [{ ...document.entries[0]!, dispensings: [dispensing] }]);
            expect(toExternalRecord(dispense, 'eprescription')).toEqual({
              record: {
                kind: 'dispensing',
                source: 'eprescription',
                dispensingId: dispensing.dispensingId,
                prescriptionId: dispensing.prescriptionId,
                patientId: PATIENT.value,
                dispensedAt: dispensing.dispensedAt,
                product: dispensing.product,
                quantity: dispensing.quantity,
                pharmacyHerId: dispensing.pharmacyHerId,
                annulled: false,
              },
            });
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
