import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { currentMedicationListProjection } from '../../projections/current-medication-list/current-medication-list.projection';
import { accessTokenHash } from '../../src/access/tokens/dpop';
import { REGISTER_HEADER } from '../../src/access/organisation-register';
import { ConfigError } from '../../src/config/config-error';
import { NURSING_HOME_ORG } from '../../src/medication-list/domain/medication-list.fixtures';
import { E2E_MUNICIPALITY, type TestApp, type Who, bootTestApp } from './app.e2e-helpers';
import { fhirClient } from './fhir.e2e-helpers';
import { syntheticPatientId } from './read-side.e2e-helpers';

/**
 * Organisations are what the register says (issue 15, parts 2 and 5), end to end against the production
 * configuration with tokens of a key pair the test generates: a sub-unit is trusted only under the parent the
 * register names; audit entries name the parent and the (trusted) child, the client and the person (HPR, or "the
 * patient"), and accessLog shows the organisations by name; a bad register row refuses start with its line; the
 * DPoP `htu` is checked against AUTH_PUBLIC_BASE_URL, never against the request's Host.
 */

const PATIENT = syntheticPatientId(12);
const OTHER_MUNICIPALITY = '998877660';
const LIST = 'query L($patientId: String!) { medicationList(patientId: $patientId) { version } }';
const CARE_UNIT = 'query U($org: String!) { careUnit(organisationNumber: $org) { organisationNumber } }';
const ACCESS_LOG = /* GraphQL */ `
  query A($patientId: String!) {
    accessLog(patientId: $patientId, first: 100) {
      entries {
        operation
        outcome
        reasonCode
        callerRole
        callerHpr
        byPatient
        clientId
        callerOrganisation
        callerOrganisationName
        callerParentOrganisation
        callerParentOrganisationName
        callerChildOrganisation
        callerChildOrganisationName
        untrustedChildOrganisation
      }
    }
  }
`;
const NURSE_OF_THE_HOME: Who = { role: 'care', org: E2E_MUNICIPALITY, childOrg: NURSING_HOME_ORG, hpr: '7654321' };
const CLAIMING_THE_HOME: Who = { role: 'care', org: OTHER_MUNICIPALITY, childOrg: NURSING_HOME_ORG, hpr: '1234567' };

describe('organisations from the register, not from the token (issue 15, part 2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ production: true });
    const relation = await t.graphql(
      'mutation C($input: StartCareRelationInput!) { startCareRelation(input: $input) { position } }',
      { input: { patientId: PATIENT, relationId: 'rel-1', organisationNumber: NURSING_HOME_ORG, from: '2026-01-01' } },
    );
    const position = BigInt((relation.body.data?.startCareRelation as { position: string }).position);
    await t.projector.waitForPosition(currentMedicationListProjection.name, position, 5_000);
  });

  afterAll(async () => {
    await t.close();
  });

  it('refuses a sub-unit the register does not place under the token’s parent, and audits it without blaming the home', async () => {
    const list = await t.graphql(LIST, { patientId: PATIENT }, { as: CLAIMING_THE_HOME });
    const unit = await t.graphql(CARE_UNIT, { org: NURSING_HOME_ORG }, { as: CLAIMING_THE_HOME });
    const log = await t.graphql(ACCESS_LOG, { patientId: PATIENT }, { as: { role: 'auditor' } });
    const entries = (log.body.data?.accessLog as { entries: Record<string, unknown>[] }).entries;

    for (const response of [list, unit]) {
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        errorCode: 'ACCESS_DENIED',
        details: { reasonCode: 'ORGANISATION_NOT_REGISTERED' },
      });
    }
    expect(entries[1]).toMatchObject({
      operation: 'medicationList',
      outcome: 'denied',
      reasonCode: 'ORGANISATION_NOT_REGISTERED',
      callerOrganisation: OTHER_MUNICIPALITY,
      callerParentOrganisation: OTHER_MUNICIPALITY,
      callerChildOrganisation: null,
      untrustedChildOrganisation: NURSING_HOME_ORG,
      clientId: 'e2e-client',
    });
  });

  it('applies the same register rule on the FHIR interface: 403, audited as ORGANISATION_NOT_REGISTERED', async () => {
    const fhir = fhirClient(t);
    const patient = encodeURIComponent(`urn:oid:2.16.578.1.12.4.1.4.1|${PATIENT}`);

    const refused = await fhir(`List?patient.identifier=${patient}`, { as: CLAIMING_THE_HOME });
    const trusted = await fhir(`List?patient.identifier=${patient}`, { as: NURSE_OF_THE_HOME });

    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    expect(trusted.status).toBe(200);
    const log = await t.graphql(ACCESS_LOG, { patientId: PATIENT }, { as: { role: 'auditor' } });
    const entries = (log.body.data?.accessLog as { entries: Record<string, unknown>[] }).entries;
    expect(entries).toContainEqual(
      expect.objectContaining({
        outcome: 'denied',
        reasonCode: 'ORGANISATION_NOT_REGISTERED',
        untrustedChildOrganisation: NURSING_HOME_ORG,
        callerChildOrganisation: null,
      }),
    );
  });

  it('trusts the sub-unit the register places under the parent, and shows the patient the organisations by name', async () => {
    const list = await t.graphql(LIST, { patientId: PATIENT }, { as: NURSE_OF_THE_HOME });
    const own = await t.graphql(LIST, { patientId: PATIENT }, { as: { role: 'patient', pid: PATIENT } });
    const log = await t.graphql(ACCESS_LOG, { patientId: PATIENT }, { as: { role: 'patient', pid: PATIENT } });
    const [reading, ownLook, nurse] = (log.body.data?.accessLog as { entries: Record<string, unknown>[] }).entries;

    expect(list.body).toEqual({ data: { medicationList: { version: 1 } } });
    expect(own.body).toEqual({ data: { medicationList: { version: 1 } } });
    expect(nurse).toEqual({
      operation: 'medicationList',
      outcome: 'allowed',
      reasonCode: null,
      callerRole: 'care',
      callerHpr: '7654321',
      byPatient: false,
      clientId: 'e2e-client',
      callerOrganisation: NURSING_HOME_ORG,
      callerOrganisationName: 'Solbakken sykehjem',
      callerParentOrganisation: E2E_MUNICIPALITY,
      callerParentOrganisationName: 'Nordby kommune',
      callerChildOrganisation: NURSING_HOME_ORG,
      callerChildOrganisationName: 'Solbakken sykehjem',
      untrustedChildOrganisation: null,
    });
    for (const entry of [reading, ownLook]) {
      expect(entry).toMatchObject({ byPatient: true, callerRole: 'patient', callerHpr: null });
    }
    expect(log.text).not.toContain(PATIENT);
  });

  it('checks the DPoP htu against AUTH_PUBLIC_BASE_URL, never against the Host header', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const token = await t.token({ role: 'prescriber', hpr: '1111111', jkt: await calculateJwkThumbprint(jwk) });
    const proof = (htu: string, jti: string): Promise<string> =>
      new SignJWT({
        htm: 'POST',
        htu,
        ath: accessTokenHash(token),
        jti,
        iat: Math.floor(t.clock.now().getTime() / 1000),
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .sign(privateKey);
    const post = (host: string, dpop: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const url = new URL(`${t.baseUrl}/graphql`);
        const body = JSON.stringify({ query: LIST, variables: { patientId: PATIENT } });
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: '/graphql',
            method: 'POST',
            headers: { host, 'content-type': 'application/json', authorization: `DPoP ${token}`, dpop },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    expect(await post('evil.example', await proof('http://evil.example/graphql', 'p-1'))).toBe(401);
    expect(await post('evil.example', await proof('https://pll.e2e.example/graphql', 'p-2'))).toBe(200);
  });
});

describe('bad files named by the configuration refuse start (issue 15, parts 2 and 5)', () => {
  it.each([
    ['truncated', '{"keys": [', 'is not valid JSON'],
    ['empty', '{"keys": []}', 'has no usable public key'],
    ['symmetric keys only', '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', 'has no usable public key'],
  ])('a %s JWKS file: one problem naming AUTH_JWKS_FILE and the file', async (_name, text, problem) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pll-jwks-')), 'jwks.json');
    writeFileSync(file, text);

    const boot = bootTestApp({ production: true, env: { AUTH_JWKS_FILE: file } });

    await expect(boot).rejects.toMatchObject({
      problems: [expect.stringContaining(`AUTH_JWKS_FILE ${file} ${problem}`)],
    });
  });

  it('a bad organisation register: names the variable, the file and the line', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pll-register-')), 'organisations.csv');
    writeFileSync(
      file,
      [REGISTER_HEADER, `${E2E_MUNICIPALITY},,,Nordby kommune`, '123456789,,,Not an organisation', ''].join('\n'),
    );

    const boot = bootTestApp({ production: true, env: { ORGANISATION_REGISTER_FILE: file } });

    await expect(boot).rejects.toThrow(ConfigError);
    await expect(boot).rejects.toMatchObject({
      problems: [`ORGANISATION_REGISTER_FILE ${file} line 3: organisationNumber is not a valid organisation number`],
    });
  });
});
