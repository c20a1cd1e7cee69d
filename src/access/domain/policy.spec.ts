import fc from 'fast-check';
import { AccessDeniedError } from './access.errors';
import { type Caller, type CallerRole, CALLER_ROLES } from './caller';
import {
  ALL_OPERATIONS,
  type AccessDecision,
  type AccessRequest,
  type CareRelationContext,
  type Operation,
  assertAllowed,
  decideAccess,
  isWriteOperation,
  roleOfDecision,
} from './policy';

const PATIENT = '31129956715';
const NURSING_HOME = '123456785';
const MUNICIPALITY = '998877660';
const PHARMACY = '987654325';
const OTHER_ORG = '974123452';
const AT = '2025-06-01T10:00:00Z';
const LEVELS = { read: 3, write: 4 } as const;
const OWN_HPR = '1234567';
const OTHER_HPR = '9144889';
const FEED_ORG = '983044778';

const caller = (roles: CallerRole[], extra: Partial<Caller> = {}): Caller => ({
  clientId: 'test-client',
  securityLevel: 4,
  organisation: {},
  scopes: roles.map((role) => `e-helse:pll/${role}`),
  roles,
  ...extra,
});

const relation = { organisationNumber: NURSING_HOME, unit: null, from: '2025-01-01', to: null };

const request = (who: Caller, operation: Operation, extra: Partial<AccessRequest> = {}): AccessRequest => ({
  caller: who,
  operation,
  patient: { isCallerThePatient: who.pid === PATIENT, careRelations: [relation] },
  careUnit: { organisationNumber: NURSING_HOME, unit: null },
  careRelation: { organisationNumber: NURSING_HOME, unit: null },
  gp: { hprNumber: OWN_HPR },
  minimumSecurityLevel: LEVELS,
  at: AT,
  ...extra,
});

const emergency = { reason: 'unconscious on arrival, no relation yet', basisCode: 'HPAKUTT' } as const;

// ---- the matrix: every role × every operation ---------------------------------------------------------------
// Columns: the callers below. Cells: the basis when allowed, or the denial.
//   P prescriber · Ph pharmacy · CR care-relation · OD own-data · E emergency (flagged) · A auditor · F feed
//   -  ROLE_NOT_PERMITTED · NCR NO_CARE_RELATION · OO OTHER_ORGANISATION · NOD NOT_OWN_DATA · NOW NOT_OWN_WORKLIST
//   ENS EMERGENCY_NOT_FOR_SUBSCRIPTIONS (break-the-glass on a standing feed: refused, flagged)
// Rows: the operations; gpWorklist twice, for the prescriber's own HPR number and for another one.
// care+rel: nursing home with an active relation to the patient, asking for its own care unit (and writing its own
// care relations).
// care-rel: another organisation without a relation, asking for the nursing home's care unit.
// care+emg: care-rel with an HPR number, stating an emergency.
const COLUMNS: Readonly<Record<string, { readonly caller: Caller; readonly extra?: Partial<AccessRequest> }>> = {
  prescriber: { caller: caller(['prescriber'], { hprNumber: OWN_HPR }) },
  pharmacy: { caller: caller(['pharmacy'], { organisation: { child: PHARMACY } }) },
  'care+rel': { caller: caller(['care'], { organisation: { child: NURSING_HOME, parent: MUNICIPALITY } }) },
  'care-rel': { caller: caller(['care'], { organisation: { child: OTHER_ORG } }) },
  'care+emg': {
    caller: caller(['care'], { organisation: { child: OTHER_ORG }, hprNumber: '7654321' }),
    extra: { emergency },
  },
  patient: { caller: caller(['patient'], { pid: PATIENT }) },
  'other-pt': { caller: caller(['patient'], { pid: '15057045628' }) },
  auditor: { caller: caller(['auditor']) },
  // client credentials: an organisation, no person, no security level
  feed: {
    caller: {
      clientId: 'feed-client',
      organisation: { parent: FEED_ORG },
      scopes: ['e-helse:pll/feed'],
      roles: ['feed'],
    },
  },
  none: { caller: caller([]) },
};

const EXPECTED = `
  operation               prescriber pharmacy care+rel care-rel care+emg patient other-pt auditor feed none
  startMedication         P          -        -        -        -        -       -        -       -    -
  changeDosage            P          -        -        -        -        -       -        -       -    -
  pauseMedication         P          -        -        -        -        -       -        -       -    -
  resumeMedication        P          -        -        -        -        -       -        -       -    -
  discontinueMedication   P          -        -        -        -        -       -        -       -    -
  retractMedication       P          -        -        -        -        -       -        -       -    -
  issuePrescription       P          -        -        -        -        -       -        -       -    -
  renewPrescription       P          -        -        -        -        -       -        -       -    -
  recallPrescription      P          -        -        -        -        -       -        -       -    -
  recordDispensing        P          Ph       -        -        -        -       -        -       -    -
  annulDispensing         P          Ph       -        -        -        -       -        -       -    -
  registerMultidose       P          -        -        -        -        -       -        -       -    -
  endMultidose            P          -        -        -        -        -       -        -       -    -
  recordMultidosePacking  P          Ph       -        -        -        -       -        -       -    -
  askMultidoseQuestion    P          Ph       -        -        -        -       -        -       -    -
  answerMultidoseQuestion P          -        -        -        -        -       -        -       -    -
  markListReviewed        P          -        -        -        -        -       -        -       -    -
  markListNotReviewed     P          -        -        -        -        -       -        -       -    -
  startCareRelation       P          -        CR       OO       OO       -       -        -       -    -
  endCareRelation         P          -        CR       OO       OO       -       -        -       -    -
  resolveDiscrepancy      P          -        -        -        -        -       -        -       -    -
  importFeed              -          -        -        -        -        -       -        -       F    -
  medicationList          P          Ph       CR       NCR      E        OD      NOD      -       -    -
  medicationHistory       P          Ph       CR       NCR      E        OD      NOD      -       -    -
  discrepancies           P          -        -        -        -        -       -        -       -    -
  accessLog               -          -        -        -        -        OD      NOD      A       -    -
  careUnit                -          -        CR       OO       OO       -       -        A       -    -
  gpWorklist(own)         P          -        -        -        -        -       -        -       -    -
  gpWorklist(other)       NOW        -        -        -        -        -       -        -       -    -
  medicationListChanged   P          -        CR       NCR      ENS      -       -        -       -    -
  careUnitChanged         -          -        CR       OO       ENS      -       -        A       -    -
`;

const CELL: Readonly<Record<string, string>> = {
  P: 'prescriber',
  Ph: 'pharmacy',
  CR: 'care-relation',
  OD: 'own-data',
  E: 'emergency',
  A: 'auditor',
  F: 'feed',
  '-': 'ROLE_NOT_PERMITTED',
  NCR: 'NO_CARE_RELATION',
  OO: 'OTHER_ORGANISATION',
  NOD: 'NOT_OWN_DATA',
  NOW: 'NOT_OWN_WORKLIST',
  ENS: 'EMERGENCY_NOT_FOR_SUBSCRIPTIONS',
};
/** Rows that are one operation under a particular target (the request's default target otherwise). */
const ROW_VARIANTS: Readonly<
  Record<string, { readonly operation: Operation; readonly extra: Partial<AccessRequest> }>
> = {
  'gpWorklist(own)': { operation: 'gpWorklist', extra: { gp: { hprNumber: OWN_HPR } } },
  'gpWorklist(other)': { operation: 'gpWorklist', extra: { gp: { hprNumber: OTHER_HPR } } },
};
const ALLOWED_CELLS = new Set(['P', 'Ph', 'CR', 'OD', 'E', 'A', 'F']);

const [header = '', ...rows] = EXPECTED.trim()
  .split('\n')
  .map((line) => line.trim().split(/\s+/));
const columns = header.slice(1);
const rowOf = (label: string): { readonly operation: Operation; readonly extra: Partial<AccessRequest> } =>
  ROW_VARIANTS[label] ?? { operation: label as Operation, extra: {} };
const matrix = rows.flatMap(([row = '', ...cells]) =>
  cells.map((cell, i) => ({ row, column: columns[i] ?? '', cell })),
);

describe('decideAccess: the role × operation matrix', () => {
  it('covers every operation and every column', () => {
    expect([...new Set(rows.map(([row = '']) => rowOf(row).operation))]).toEqual([...ALL_OPERATIONS]);
    expect(columns).toEqual(Object.keys(COLUMNS));
    expect(matrix).toHaveLength(rows.length * columns.length);
    expect(rows.every((cells) => cells.length === columns.length + 1)).toBe(true);
  });

  it.each(matrix)('$column → $row: $cell', ({ row, column, cell }) => {
    const { caller: who, extra } = COLUMNS[column] ?? { caller: caller([]) };
    const { operation, extra: rowExtra } = rowOf(row);
    const decision = decideAccess(request(who, operation, { ...rowExtra, ...extra }));
    const expected = CELL[cell];
    if (ALLOWED_CELLS.has(cell)) {
      expect(decision).toEqual({ allowed: true, basis: expected, flagged: cell === 'E' });
    } else {
      expect(decision).toEqual({ allowed: false, reasonCode: expected, flagged: column === 'care+emg' });
    }
  });
});

const prescriber = caller(['prescriber'], { hprNumber: OWN_HPR });
const nurse = (extra: Partial<Caller> = {}): Caller =>
  caller(['care'], { organisation: { child: NURSING_HOME, parent: MUNICIPALITY }, ...extra });
const withRelations = (careRelations: readonly CareRelationContext[]): Partial<AccessRequest> => ({
  patient: { isCallerThePatient: false, careRelations },
});

describe('decideAccess: identity requirements and security levels', () => {
  it.each([
    ['a prescriber without an HPR number', caller(['prescriber']), 'startMedication', 'MISSING_HPR'],
    ['a pharmacy without an organisation', caller(['pharmacy']), 'recordDispensing', 'MISSING_ORGANISATION'],
    ['a care client without an organisation', caller(['care']), 'medicationList', 'MISSING_ORGANISATION'],
    ['a patient token without a pid', caller(['patient']), 'medicationList', 'NOT_OWN_DATA'],
  ] as const)('%s is denied', (_name, who, operation, reasonCode) => {
    expect(decideAccess(request(who, operation))).toEqual({ allowed: false, reasonCode, flagged: false });
  });

  it.each([
    ['write at level 4', 4, 'startMedication', true],
    ['write at level 3', 3, 'startMedication', false],
    ['read at level 3', 3, 'medicationList', true],
    ['read at level 2', 2, 'medicationList', false],
    ['subscription at level 3 (a read)', 3, 'medicationListChanged', true],
    ['read without a level (client credentials)', undefined, 'medicationList', false],
  ] as const)('a prescriber: %s (level %s, %s) → allowed %s', (_name, securityLevel, operation, allowed) => {
    const decision = decideAccess(request({ ...prescriber, securityLevel }, operation));
    expect(decision).toEqual(
      allowed
        ? { allowed: true, basis: 'prescriber', flagged: false }
        : { allowed: false, reasonCode: 'INSUFFICIENT_SECURITY_LEVEL', basis: 'prescriber', flagged: false },
    );
  });

  it('uses the configured minimums', () => {
    const decision = decideAccess(
      request({ ...prescriber, securityLevel: 3 }, 'startMedication', { minimumSecurityLevel: { read: 2, write: 3 } }),
    );
    expect(decision.allowed).toBe(true);
  });

  it('denies a patient operation without patient context, whoever asks (fail closed)', () => {
    const decision = decideAccess({ ...request(prescriber, 'medicationList'), patient: undefined });
    expect(decision).toEqual({ allowed: false, reasonCode: 'MISSING_PATIENT_CONTEXT', flagged: false });
  });

  it('denies a care-unit operation without a target', () => {
    const decision = decideAccess({ ...request(nurse(), 'careUnit'), careUnit: undefined });
    expect(decision).toEqual({ allowed: false, reasonCode: 'MISSING_CARE_UNIT', flagged: false });
  });
});

describe("decideAccess: the GP worklist is the caller's own", () => {
  const worklist = (who: Caller, hprNumber: string | undefined, extra: Partial<AccessRequest> = {}): AccessDecision =>
    decideAccess({ ...request(who, 'gpWorklist', extra), gp: hprNumber === undefined ? undefined : { hprNumber } });

  it.each([
    ['a prescriber, own HPR number', prescriber, OWN_HPR, { allowed: true, basis: 'prescriber', flagged: false }],
    [
      'a prescriber, another HPR number',
      prescriber,
      OTHER_HPR,
      { allowed: false, reasonCode: 'NOT_OWN_WORKLIST', flagged: false },
    ],
    [
      'a prescriber without an HPR number',
      caller(['prescriber']),
      OWN_HPR,
      { allowed: false, reasonCode: 'MISSING_HPR', flagged: false },
    ],
    [
      'an auditor (access log only)',
      caller(['auditor'], { hprNumber: OWN_HPR }),
      OWN_HPR,
      { allowed: false, reasonCode: 'ROLE_NOT_PERMITTED', flagged: false },
    ],
    [
      'a prescriber and auditor, another HPR number',
      caller(['prescriber', 'auditor'], { hprNumber: OWN_HPR }),
      OTHER_HPR,
      { allowed: false, reasonCode: 'NOT_OWN_WORKLIST', flagged: false },
    ],
    [
      'a prescriber, no HPR number asked for (fail closed)',
      prescriber,
      undefined,
      { allowed: false, reasonCode: 'MISSING_WORKLIST_HPR', flagged: false },
    ],
  ] as const)('%s', (_name, who, hprNumber, expected) => {
    expect(worklist(who, hprNumber)).toEqual(expected);
  });

  it('is not opened by an emergency statement', () => {
    expect(worklist(prescriber, OTHER_HPR, { emergency })).toEqual({
      allowed: false,
      reasonCode: 'NOT_OWN_WORKLIST',
      flagged: true,
    });
  });

  it('still needs the read security level', () => {
    expect(worklist({ ...prescriber, securityLevel: 2 }, OWN_HPR)).toEqual({
      allowed: false,
      reasonCode: 'INSUFFICIENT_SECURITY_LEVEL',
      basis: 'prescriber',
      flagged: false,
    });
  });
});

describe('decideAccess: care relations', () => {
  const read = (who: Caller, careRelations: readonly CareRelationContext[], at = AT): AccessDecision =>
    decideAccess(request(who, 'medicationList', { ...withRelations(careRelations), at }));

  it.each([
    ['names the sub-unit', { organisationNumber: NURSING_HOME }, true],
    ['names the legal entity (orgnr_parent)', { organisationNumber: MUNICIPALITY }, true],
    ['names another organisation', { organisationNumber: OTHER_ORG }, false],
    ['has not started yet', { organisationNumber: NURSING_HOME, from: '2025-06-02' }, false],
    ['ended yesterday', { organisationNumber: NURSING_HOME, from: '2025-01-01', to: '2025-05-31' }, false],
    ['ends today (inclusive)', { organisationNumber: NURSING_HOME, from: '2025-01-01', to: '2025-06-01' }, true],
  ])('a relation that %s (%j) → allowed %s', (_name, careRelation, allowed) => {
    expect(read(nurse(), [careRelation]).allowed).toBe(allowed);
  });

  it('dates relations in Norwegian days: 23:30 UTC on 14 March is already 15 March in Oslo', () => {
    const relationToThe14th = { organisationNumber: NURSING_HOME, from: '2025-01-01', to: '2025-03-14' };
    expect(read(nurse(), [relationToThe14th], '2025-03-14T22:30:00Z').allowed).toBe(true);
    expect(read(nurse(), [relationToThe14th], '2025-03-14T23:30:00Z').allowed).toBe(false);
  });

  it.each([
    ['relation unit A, token unit A', 'A', 'A', true],
    ['relation unit A, token unit B', 'A', 'B', false],
    ['relation unit A, token without unit (whole organisation)', 'A', undefined, true],
    ['relation without unit, token unit B', null, 'B', true],
  ] as const)('%s (%s / %s) → allowed %s', (_name, relationUnit, tokenUnit, allowed) => {
    const who = nurse(tokenUnit === undefined ? {} : { careUnit: tokenUnit });
    expect(read(who, [{ organisationNumber: NURSING_HOME, unit: relationUnit }]).allowed).toBe(allowed);
  });

  it.each([
    ['own unit, token unit A', 'A', 'A', true],
    ['other unit, token unit A', 'B', 'A', false],
    ['whole organisation, token unit A', null, 'A', false],
    ['any unit, token without unit', 'B', undefined, true],
  ] as const)('careUnit overview: %s (%s / %s) → allowed %s', (_name, targetUnit, tokenUnit, allowed) => {
    const who = nurse(tokenUnit === undefined ? {} : { careUnit: tokenUnit });
    const decision = decideAccess(
      request(who, 'careUnit', { careUnit: { organisationNumber: NURSING_HOME, unit: targetUnit } }),
    );
    expect(decision.allowed).toBe(allowed);
  });
});

describe('decideAccess: emergency access', () => {
  const stranger = caller(['care'], { organisation: { child: OTHER_ORG }, hprNumber: '7654321' });

  it.each([
    ['a blank reason', { reason: '  ', basisCode: 'HPAKUTT' }, 'EMERGENCY_REASON_REQUIRED'],
    ['an unknown basis code', { reason: 'acute', basisCode: 'NOPE' }, 'EMERGENCY_REASON_REQUIRED'],
    ['a reason over 1000 characters', { reason: 'x'.repeat(1001), basisCode: 'HPUNNTAK' }, 'EMERGENCY_REASON_REQUIRED'],
  ])('is denied and flagged with %s', (_name, statement, reasonCode) => {
    const decision = decideAccess(request(stranger, 'medicationList', { emergency: statement as typeof emergency }));
    expect(decision).toEqual({ allowed: false, reasonCode, flagged: true });
  });

  it.each(['HPAKUTT', 'HPMOTTATTSAMTYKKE', 'HPUNNTAK'] as const)('accepts basis code %s', (basisCode) => {
    const decision = decideAccess(
      request(stranger, 'medicationHistory', { emergency: { reason: 'acute', basisCode } }),
    );
    expect(decision).toEqual({ allowed: true, basis: 'emergency', flagged: true });
  });

  it('needs an HPR number: the patient is shown who looked', () => {
    const anonymousNurse = caller(['care'], { organisation: { child: OTHER_ORG } });
    expect(decideAccess(request(anonymousNurse, 'medicationList', { emergency }))).toEqual({
      allowed: false,
      reasonCode: 'MISSING_HPR',
      flagged: true,
    });
  });

  it('still needs the read security level', () => {
    const decision = decideAccess(request({ ...stranger, securityLevel: 2 }, 'medicationList', { emergency }));
    expect(decision).toEqual({
      allowed: false,
      reasonCode: 'INSUFFICIENT_SECURITY_LEVEL',
      basis: 'emergency',
      flagged: true,
    });
  });

  it('is not used, and not flagged, when an ordinary basis exists', () => {
    expect(decideAccess(request(prescriber, 'medicationList', { emergency }))).toEqual({
      allowed: true,
      basis: 'prescriber',
      flagged: false,
    });
  });

  it('does not open anything to a pharmacy or a patient', () => {
    const pharmacy = caller(['pharmacy'], { organisation: { child: PHARMACY }, hprNumber: '1111111' });
    expect(decideAccess(request(pharmacy, 'discrepancies', { emergency })).allowed).toBe(false);
    const otherPatient = caller(['patient'], { pid: '15057045628', hprNumber: '2222222' });
    expect(decideAccess(request(otherPatient, 'medicationList', { emergency })).allowed).toBe(false);
  });
});

describe('decideAccess: an orgnr_child the register does not vouch for', () => {
  it('refuses every operation, whatever else the token holds', () => {
    const claimed = caller(['prescriber', 'care'], {
      organisation: { child: NURSING_HOME, parent: OTHER_ORG },
      hprNumber: OWN_HPR,
    });
    for (const operation of ['medicationList', 'startMedication', 'careUnit'] as const) {
      expect(decideAccess(request(claimed, operation, { untrustedChildOrganisation: true }))).toEqual({
        allowed: false,
        reasonCode: 'ORGANISATION_NOT_REGISTERED',
        flagged: false,
      });
    }
  });
});

describe('decideAccess: several roles in one token', () => {
  it('grants under the first role that allows (care without relation, but the patient themself)', () => {
    const both = caller(['care', 'patient'], { organisation: { child: OTHER_ORG }, pid: PATIENT });
    expect(decideAccess(request(both, 'medicationList'))).toEqual({ allowed: true, basis: 'own-data', flagged: false });
  });

  it('reports the first specific denial', () => {
    const both = caller(['prescriber', 'care'], { organisation: { child: OTHER_ORG } });
    expect(decideAccess(request(both, 'medicationList'))).toMatchObject({ allowed: false, reasonCode: 'MISSING_HPR' });
  });
});

describe('roleOfDecision and assertAllowed', () => {
  it.each([
    ['prescriber', 'prescriber'],
    ['pharmacy', 'pharmacy'],
    ['care-relation', 'care'],
    ['own-data', 'patient'],
    ['auditor', 'auditor'],
  ] as const)('basis %s → role %s', (basis, role) => {
    expect(roleOfDecision(prescriber, { allowed: true, basis, flagged: false })).toBe(role);
  });

  it('names the clinical role of an emergency look', () => {
    const emergencyDecision: AccessDecision = { allowed: true, basis: 'emergency', flagged: true };
    expect(roleOfDecision(prescriber, emergencyDecision)).toBe('prescriber');
    expect(roleOfDecision(nurse(), emergencyDecision)).toBe('care');
  });

  it('throws a FORBIDDEN AccessDeniedError carrying the reason code, and passes an allowed decision', () => {
    const denial: AccessDecision = { allowed: false, reasonCode: 'NO_CARE_RELATION', flagged: false };
    expect(() => assertAllowed('medicationList', denial)).toThrow(AccessDeniedError);
    const error = (() => {
      try {
        assertAllowed('medicationList', denial);
        return undefined;
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toMatchObject({ code: 'ACCESS_DENIED', kind: 'forbidden', reasonCode: 'NO_CARE_RELATION' });
    expect(() => assertAllowed('medicationList', { allowed: true, basis: 'prescriber', flagged: false })).not.toThrow();
  });
});

describe('decideAccess: properties', () => {
  const arbitraryRequest = fc.record({
    roles: fc.subarray([...CALLER_ROLES]),
    level: fc.constantFrom(2, 3, 4, undefined),
    hpr: fc.boolean(),
    org: fc.constantFrom(undefined, NURSING_HOME, OTHER_ORG),
    operation: fc.constantFrom(...ALL_OPERATIONS),
    isPatient: fc.boolean(),
    emergency: fc.boolean(),
    minRead: fc.constantFrom(2, 3, 4),
    minWrite: fc.constantFrom(2, 3, 4),
  });

  it('never allows below the minimum level, never writes on emergency, flags every emergency grant', () => {
    fc.assert(
      fc.property(arbitraryRequest, (input) => {
        const who = caller(input.roles, {
          securityLevel: input.level,
          ...(input.hpr ? { hprNumber: '1234567' } : {}),
          ...(input.org === undefined ? {} : { organisation: { child: input.org } }),
          ...(input.isPatient ? { pid: PATIENT } : {}),
        });
        const decision = decideAccess(
          request(who, input.operation, {
            minimumSecurityLevel: { read: input.minRead, write: input.minWrite },
            ...(input.emergency ? { emergency } : {}),
          }),
        );
        if (!decision.allowed) {
          return true;
        }
        const minimum = isWriteOperation(input.operation) ? input.minWrite : input.minRead;
        // A care organisation writes its own care relations only; a feed (no person, so no level) imports only.
        const writeBases: Readonly<Record<string, readonly Operation[] | 'any'>> = {
          prescriber: 'any',
          pharmacy: 'any',
          'care-relation': ['startCareRelation', 'endCareRelation'],
          feed: ['importFeed'],
        };
        const writes = writeBases[decision.basis];
        return (
          (decision.basis === 'feed' || (input.level !== undefined && input.level >= minimum)) &&
          (!isWriteOperation(input.operation) || writes === 'any' || (writes?.includes(input.operation) ?? false)) &&
          (decision.basis !== 'emergency' || decision.flagged)
        );
      }),
      { seed: 20250601, numRuns: 500 },
    );
  });
});

describe('decideAccess: attribution, feeds and care organisations (issue 15)', () => {
  const pharmacy = caller(['pharmacy'], { organisation: { child: PHARMACY } });
  const dispensing = (attribution: AccessRequest['attribution']): AccessDecision =>
    decideAccess(request(pharmacy, 'recordDispensing', { attribution }));

  it('given a pharmacy whose organisation has HER-id 81235, when the input names 99999, then it is refused', () => {
    expect(dispensing({ callerHerId: '81235', claimedHerId: '99999' })).toEqual({
      allowed: false,
      reasonCode: 'HER_ID_NOT_CALLERS',
      basis: 'pharmacy',
      flagged: false,
    });
  });

  it('given a pharmacy, when the input names its own HER-id or none, then it records', () => {
    expect(dispensing({ callerHerId: '81235', claimedHerId: '81235' })).toEqual({
      allowed: true,
      basis: 'pharmacy',
      flagged: false,
    });
    expect(dispensing({ callerHerId: '81235' })).toEqual({ allowed: true, basis: 'pharmacy', flagged: false });
  });

  it('given a caller whose organisation has no HER-id in the register, when it records a dispensing, then it is refused', () => {
    expect(dispensing({ claimedHerId: '81235' })).toEqual({
      allowed: false,
      reasonCode: 'ORGANISATION_HAS_NO_HER_ID',
      basis: 'pharmacy',
      flagged: false,
    });
  });

  it('given a feed scope on a token that names a person, when it imports, then it is refused', () => {
    const withPerson = caller(['feed'], { organisation: { parent: FEED_ORG }, hprNumber: OWN_HPR });
    expect(decideAccess(request(withPerson, 'importFeed'))).toEqual({
      allowed: false,
      reasonCode: 'FEED_NEEDS_CLIENT_CREDENTIALS',
      flagged: false,
    });
    expect(decideAccess(request(caller(['feed'], { securityLevel: undefined }), 'importFeed'))).toEqual({
      allowed: false,
      reasonCode: 'MISSING_ORGANISATION',
      flagged: false,
    });
  });

  it('given a nurse of one unit, when she starts a relation to another unit of her home or the whole home, then it is refused', () => {
    const wardNurse = nurse({ careUnit: 'Avdeling 2' });
    const start = (unit: string | null): AccessDecision =>
      decideAccess(
        request(wardNurse, 'startCareRelation', { careRelation: { organisationNumber: NURSING_HOME, unit } }),
      );
    expect(start('Avdeling 2')).toEqual({ allowed: true, basis: 'care-relation', flagged: false });
    expect(start('Avdeling 3').allowed).toBe(false);
    expect(start(null).allowed).toBe(false);
  });

  it('given a relation the list does not hold (no careRelation), when a nurse ends it, then it is refused', () => {
    const { careRelation: _none, ...withoutRelation } = request(nurse(), 'endCareRelation');
    expect(decideAccess(withoutRelation)).toEqual({ allowed: false, reasonCode: 'OTHER_ORGANISATION', flagged: false });
  });

  it('given a relation ended with a future date, then access lasts through that date and ends the day after', () => {
    const endsOn = withRelations([{ ...relation, to: '2025-06-01' }]);
    expect(decideAccess(request(nurse(), 'medicationList', { ...endsOn, at: '2025-06-01T21:30:00Z' })).allowed).toBe(
      true,
    );
    expect(decideAccess(request(nurse(), 'medicationList', { ...endsOn, at: '2025-06-01T22:30:00Z' })).allowed).toBe(
      false,
    );
  });
});
