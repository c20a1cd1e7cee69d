import type { Resource } from '@medplum/fhirtypes';
import { r4Problems } from '../../projections/fhir/fhir-validator.spec-helpers';
import { AuditService } from '../../src/access/audit';
import { FhirReads } from '../../src/fhir/fhir-reads';
import { OID } from '../../src/identifiers/norwegian-identifiers';
import { PHARMACY_HER_ID } from '../../src/medication-list/domain/medication-list.fixtures';
import { MedicationListService } from '../../src/medication-list/medication-list.service';
import { type TestApp, bootTestApp } from './app.e2e-helpers';
import { OTHER_PATIENT, PATIENT, ROLES, type RoleName } from './access-matrix.e2e-helpers';
import { PATIENT_PARAM, aDispense, fhirClient, seedList, settle } from './fhir.e2e-helpers';
import { patientKeySpies as spies, theOneKey as theKey } from './patient-key.e2e-helpers';

/**
 * The FHIR R4 interface end to end (issue 19): each endpoint with each role, the denials (audited), the errors as
 * OperationOutcome, and every returned resource through @medplum/core's R4 validator.
 */
describe('FHIR R4 interface', () => {
  let app: TestApp;
  let fhir: ReturnType<typeof fhirClient>;
  let listId = '';

  beforeAll(async () => {
    app = await bootTestApp({ now: '2026-03-02T09:15:00.000Z' });
    fhir = fhirClient(app);
    await seedList(app);
    const found = await fhir(`List?${PATIENT_PARAM}`);
    listId = found.body.entry?.[0]?.resource?.id ?? '';
  });
  afterAll(async () => {
    await app.close();
  });

  const valid = (resource: Resource): void => {
    expect(r4Problems(resource)).toEqual([]);
  };

  it('GET /fhir/metadata: a valid CapabilityStatement, public, listing the implemented resources', async () => {
    const response = await fhir('metadata', { as: null });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/fhir+json');
    valid(response.body);
    const types = (response.body as { rest?: { resource?: { type: string }[] }[] }).rest?.[0]?.resource?.map(
      (r) => r.type,
    );
    expect(types).toEqual(['List', 'MedicationStatement', 'MedicationRequest', 'MedicationDispense', 'AuditEvent']);
  });

  it('List search by patient identifier: a snapshot with one statement per entry, _include=List:item', async () => {
    const response = await fhir(`List?${PATIENT_PARAM}&_include=List:item`);
    expect(response.status).toBe(200);
    valid(response.body);
    const [list, statement] = response.body.entry?.map((e) => e.resource) ?? [];
    expect(list).toMatchObject({
      resourceType: 'List',
      mode: 'snapshot',
      subject: { identifier: { system: OID.fnr, value: PATIENT } },
    });
    expect(statement).toMatchObject({
      resourceType: 'MedicationStatement',
      status: 'active',
      identifier: [{ value: 'entry-fhir' }],
    });
    expect(listId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(response.body.entry?.map((e) => e.resource?.id))).not.toContain(PATIENT);
  });

  it('List read by id with ETag, _history with one version per list version, vread, and _at', async () => {
    const read = await fhir(`List/${listId}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"3"');
    valid(read.body);
    const history = await fhir(`List/${listId}/_history`);
    expect(history.body.entry?.map((e) => e.resource?.meta?.versionId)).toEqual(['3', '2', '1']);
    valid(history.body);
    const v1 = await fhir(`List/${listId}/_history/1`);
    expect(v1.body.meta?.versionId).toBe('1');
    const before = await fhir(`List?${PATIENT_PARAM}&_at=2020-01-01T00:00:00Z`);
    expect(before.body.entry?.[0]?.resource).toMatchObject({ meta: { versionId: '0' }, emptyReason: {} });
  });

  it.each(['MedicationStatement', 'MedicationRequest'])('%s search and read by id are valid R4', async (type) => {
    const search = await fhir(`${type}?${PATIENT_PARAM}&status=active`);
    expect(search.status).toBe(200);
    valid(search.body);
    const id = search.body.entry?.[0]?.resource?.id ?? '';
    const read = await fhir(`${type}/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
    valid(read.body);
  });

  it('POST MedicationDispense: 201, then idempotent (200, nothing appended), If-None-Exist, annul with entered-in-error', async () => {
    const pharmacy = ROLES.pharmacy.who;
    const first = await fhir('MedicationDispense', { as: pharmacy, method: 'POST', body: aDispense('disp-fhir-1') });
    expect(first.status).toBe(201);
    valid(first.body);
    const version = first.headers.get('etag');
    const again = await fhir('MedicationDispense', { as: pharmacy, method: 'POST', body: aDispense('disp-fhir-1') });
    expect(again.status).toBe(200);
    expect(again.headers.get('etag')).toBe(version);
    await settle(app);
    const conditional = await fhir('MedicationDispense', {
      as: pharmacy,
      method: 'POST',
      body: aDispense('disp-fhir-1'),
      headers: { 'if-none-exist': 'identifier=disp-fhir-1' },
    });
    expect(conditional.status).toBe(200);
    const search = await fhir(`MedicationDispense?${PATIENT_PARAM}`, { as: pharmacy });
    expect(search.body.entry?.map((e) => e.resource?.id)).toEqual([first.body.id]);
    valid(search.body);
    const annul = await fhir('MedicationDispense', {
      as: pharmacy,
      method: 'POST',
      body: aDispense('disp-fhir-1', 'entered-in-error'),
    });
    expect(annul.status).toBe(200);
    expect(annul.body).toMatchObject({ status: 'entered-in-error' });
    await settle(app);
    expect((await fhir(`MedicationDispense?${PATIENT_PARAM}`, { as: pharmacy })).body.total).toBe(0);
  });

  it('POST MedicationDispense is attributed to the caller (issue 15): another performer HER-id 403, none recorded as the caller’s', async () => {
    const pharmacy = ROLES.pharmacy.who;
    const forged = aDispense('disp-forged');
    forged.performer = [{ actor: { identifier: { system: OID.herId, value: '99999' } } }];
    const { performer: _performer, ...withoutPerformer } = aDispense('disp-no-performer');

    const refused = await fhir('MedicationDispense', { as: pharmacy, method: 'POST', body: forged });
    const recorded = await fhir('MedicationDispense', { as: pharmacy, method: 'POST', body: withoutPerformer });

    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain('HER_ID_NOT_CALLERS');
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ performer: [{ actor: { identifier: { value: PHARMACY_HER_ID } } }] });
    const annul = await fhir('MedicationDispense', {
      as: pharmacy,
      method: 'POST',
      body: aDispense('disp-no-performer', 'entered-in-error'),
    });
    expect(annul.status).toBe(200);
  });

  it('POST with a stale If-Match: 412, nothing recorded', async () => {
    const response = await fhir('MedicationDispense', {
      as: ROLES.pharmacy.who,
      method: 'POST',
      body: aDispense('disp-stale'),
      headers: { 'if-match': 'W/"1"' },
    });
    expect(response.status).toBe(412);
    expect(response.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ code: 'conflict', details: { text: 'STALE_VERSION' } }],
    });
    expect((await fhir(`MedicationDispense?${PATIENT_PARAM}`)).body.total).toBe(0);
  });

  it('POST an invalid resource: 400 with a FHIRPath expression; a domain rejection: 422 with the GraphQL error code', async () => {
    const { quantity: _quantity, ...withoutQuantity } = aDispense('disp-bad');
    const bad = await fhir('MedicationDispense', { as: ROLES.pharmacy.who, method: 'POST', body: withoutQuantity });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ issue: [{ expression: ['MedicationDispense.quantity'] }] });
    valid(bad.body);
    const unknown = await fhir('MedicationDispense', {
      as: ROLES.pharmacy.who,
      method: 'POST',
      body: aDispense('disp-none', 'entered-in-error'),
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ issue: [{ details: { text: 'DISPENSING_NOT_FOUND' } }] });
  });

  it('401 without a token, 406 for XML, 404 for an unknown id, 400 for a bad patient identifier (never echoed)', async () => {
    const unauthenticated = await fhir(`List?${PATIENT_PARAM}`, { as: null });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fhir(`List?${PATIENT_PARAM}`, { headers: { accept: 'application/fhir+xml' } })).status).toBe(406);
    expect((await fhir(`List?${PATIENT_PARAM}&_format=xml`)).status).toBe(406);
    expect((await fhir('List/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await fhir(`List?patient.identifier=${encodeURIComponent(`${OID.fnr}|12345678901`)}`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toContain('12345678901');
  });

  // Each role on the reads, as the policy decides them for GraphQL (access-matrix.e2e-helpers.ts is the oracle).
  const READS: readonly [string, 'medicationList' | 'medicationHistory' | 'accessLog'][] = [
    [`List?${PATIENT_PARAM}`, 'medicationList'],
    [`MedicationStatement?${PATIENT_PARAM}`, 'medicationList'],
    [`MedicationRequest?${PATIENT_PARAM}`, 'medicationList'],
    [`MedicationDispense?${PATIENT_PARAM}`, 'medicationList'],
    [`AuditEvent?${PATIENT_PARAM}`, 'accessLog'],
  ];
  const roles = Object.keys(ROLES).filter((role) => role !== 'emergency reader') as RoleName[];

  it.each(roles.flatMap((role) => READS.map(([path, operation]) => [role, path, operation] as const)))(
    '%s: GET %s follows the policy, and each look is audited',
    async (role, path, operation) => {
      const response = await fhir(path, { as: ROLES[role].who });
      const allowed = ROLES[role].allowed.has(operation);
      expect(response.status).toBe(allowed ? 200 : 403);
      valid(response.body);
      const log = await fhir(`AuditEvent?${PATIENT_PARAM}`, { as: ROLES.auditor.who });
      // The newest entry is the auditor's own look; the one before it is this request's, allowed or denied.
      expect(log.body.entry?.[1]?.resource).toMatchObject({
        outcome: allowed ? '0' : '4',
        subtype: [{ code: operation }],
      });
    },
  );

  it('emergency access through the headers is allowed, flagged and shown to the patient', async () => {
    const reader = ROLES['emergency reader'].who;
    const denied = await fhir(`List?${PATIENT_PARAM}`, { as: reader });
    expect(denied.status).toBe(403);
    const allowed = await fhir(`List?${PATIENT_PARAM}`, {
      as: reader,
      headers: { 'x-emergency-basis': 'HPAKUTT', 'x-emergency-reason': encodeURIComponent('Bevisstløs i akuttmottak') },
    });
    expect(allowed.status).toBe(200);
    const own = await fhir(`AuditEvent?${PATIENT_PARAM}`, { as: ROLES['patient self'].who });
    expect(own.body.entry?.[1]?.resource).toMatchObject({
      purposeOfEvent: [{ text: 'HPAKUTT: Bevisstløs i akuttmottak' }],
    });
  });

  it('a patient reads their own list by resource id, not another patient’s', async () => {
    expect((await fhir(`List/${listId}`, { as: ROLES['patient self'].who })).body).toMatchObject({
      subject: { identifier: { value: PATIENT } },
    });
    expect((await fhir(`List/${listId}`, { as: { role: 'patient', pid: OTHER_PATIENT } })).status).toBe(403);
  });

  // Issue 17: the gate parses and keys the patient once per request, and the reads, the access log and the command
  // take that key. The spies sit on the module's exports, which every caller (and patientKeyOf itself, compiled to
  // CommonJS) calls through: patientStreamId counts every HMAC of a patient id, one per request in all.
  describe('one key per request', () => {
    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('POST MedicationDispense: the command and the read before it take the key the gate derived', async () => {
      const { keyOf, streamIdOf } = spies();
      const execute = jest.spyOn(app.app.get(MedicationListService), 'execute');
      const ofPatient = jest.spyOn(app.app.get(FhirReads), 'ofPatient');
      const body = aDispense('disp-fhir-key');
      const response = await fhir('MedicationDispense', { as: ROLES.pharmacy.who, method: 'POST', body });
      expect(response.status).toBe(201);
      const key = theKey(keyOf);
      expect(key).toEqual({ patientId: PATIENT, streamId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(execute).toHaveBeenCalledTimes(1);
      expect(execute.mock.calls[0]?.[0]).toBe(key);
      expect(ofPatient.mock.calls.map(([patient]) => patient)).toEqual([key]);
      expect(ofPatient.mock.calls[0]?.[0]).toBe(key);
      expect(streamIdOf).toHaveBeenCalledTimes(1);
    });

    it('GET List and AuditEvent by patient: the read and the access log take the key the gate derived', async () => {
      const { keyOf, streamIdOf } = spies();
      const ofPatient = jest.spyOn(app.app.get(FhirReads), 'ofPatient');
      expect((await fhir(`List?${PATIENT_PARAM}`)).status).toBe(200);
      expect(ofPatient.mock.calls[0]?.[0]).toBe(theKey(keyOf));
      expect(streamIdOf).toHaveBeenCalledTimes(1);

      keyOf.mockClear();
      streamIdOf.mockClear();
      const readAccessLog = jest.spyOn(app.app.get(AuditService), 'readAccessLog');
      expect((await fhir(`AuditEvent?${PATIENT_PARAM}`, { as: ROLES.auditor.who })).status).toBe(200);
      expect(readAccessLog.mock.calls[0]?.[0]).toBe(theKey(keyOf));
      expect(streamIdOf).toHaveBeenCalledTimes(1);
    });

    it('GET List by id as the patient: the caller’s pid is keyed once, by the gate', async () => {
      const { keyOf, streamIdOf } = spies();
      const response = await fhir(`List/${listId}`, { as: ROLES['patient self'].who });
      expect(response.body).toMatchObject({ subject: { identifier: { value: PATIENT } } });
      expect(keyOf).not.toHaveBeenCalled();
      expect(streamIdOf).toHaveBeenCalledTimes(1);
    });

    it('a bad patient identifier is refused before anything is keyed (400, never echoed)', async () => {
      const { keyOf, streamIdOf } = spies();
      const bad = await fhir(`List?patient.identifier=${encodeURIComponent(`${OID.fnr}|12345678901`)}`);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ issue: [{ details: { text: 'INVALID_IDENTIFIER' } }] });
      expect(keyOf).not.toHaveBeenCalled();
      expect(streamIdOf).not.toHaveBeenCalled();
    });
  });

  it('no patient identifier in any log line', () => {
    expect(app.logLines.join('\n')).not.toContain(PATIENT);
  });
});
