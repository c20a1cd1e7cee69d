import { AuthenticationError } from './access.errors';
import { type Caller, callerFromClaims, callerLogFields, isCallerThePatient, toActor } from './caller';

const PID = '31129956715';

const person = (extra: Partial<Caller> = {}): Caller => ({
  clientId: 'client',
  pid: PID,
  securityLevel: 4,
  hprNumber: '1234567',
  organisation: { parent: '998877660', child: '123456785' },
  scopes: [],
  roles: ['prescriber'],
  ...extra,
});

describe('callerFromClaims', () => {
  it('derives roles from known scopes only, in precedence order', () => {
    const caller = callerFromClaims({
      client_id: 'c',
      scope: 'openid e-helse:pll/audit e-helse:pll/care helseid://scopes/identity/pid e-helse:pll/unknown',
    });
    expect(caller.roles).toEqual(['care', 'auditor']);
  });

  it.each([
    ['a malformed pid', { 'helseid://claims/identity/pid': '12345678901' }],
    ['a non-numeric HPR number', { 'helseid://claims/hpr/hpr_number': 'abc' }],
    ['a scope that is neither string nor array of strings', { scope: 42 }],
    ['an empty client_id', { client_id: '' }],
  ])('rejects %s', (_name, overrides) => {
    expect(() => callerFromClaims({ client_id: 'c', scope: 'x', ...overrides })).toThrow(AuthenticationError);
  });

  it('accepts a numeric HPR number and security level', () => {
    const caller = callerFromClaims({
      client_id: 'c',
      scope: [],
      'helseid://claims/hpr/hpr_number': 1234567,
      'helseid://claims/identity/security_level': 3,
    });
    expect(caller).toMatchObject({ hprNumber: '1234567', securityLevel: 3 });
  });
});

describe('toActor', () => {
  it.each([
    ['prescriber', { role: 'prescriber', hprNumber: '1234567', organisationNumber: '123456785' }],
    ['pharmacy', { role: 'pharmacy', hprNumber: '1234567', organisationNumber: '123456785' }],
    ['care', { role: 'nurse', hprNumber: '1234567', organisationNumber: '123456785' }],
    ['auditor', { role: 'system', hprNumber: '1234567', organisationNumber: '123456785' }],
    ['patient', { role: 'patient' }],
  ] as const)('names a %s by HPR and organisation, never by pid', (role, expected) => {
    const actor = toActor(person(), role);
    expect(actor).toEqual(expected);
    expect(JSON.stringify(actor)).not.toContain(PID);
  });

  it('uses the organisation parent when there is no child, and the first role by default', () => {
    expect(toActor(person({ organisation: { parent: '998877660' }, roles: ['pharmacy'] }))).toMatchObject({
      role: 'pharmacy',
      organisationNumber: '998877660',
    });
  });
});

describe('isCallerThePatient and callerLogFields', () => {
  it('compares the pid with the trimmed patient id', () => {
    expect(isCallerThePatient(person(), ` ${PID} `)).toBe(true);
    expect(isCallerThePatient(person(), '15057045628')).toBe(false);
    expect(isCallerThePatient(person({ pid: undefined }), PID)).toBe(false);
  });

  it('logs no pid', () => {
    expect(callerLogFields(person())).toEqual({
      clientId: 'client',
      roles: ['prescriber'],
      hprNumber: '1234567',
      organisation: '123456785',
      securityLevel: 4,
    });
  });
});
