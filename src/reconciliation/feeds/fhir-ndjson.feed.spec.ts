import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { isValidDosage } from '../../medication-list/domain/dosage';
import { assertMedication, isIsoDate, isIsoDateTime } from '../../medication-list/domain/medication-list.validation';
import { isValidPatientId } from '../../identifiers/norwegian-identifiers';
import { isCleanText } from '../../shared/text/free-text';
import type { ExternalRecord } from '../domain/external-record';
import {
  BLANK_LINE,
  parseFhirBundle,
  parseFhirLine,
  parseFhirLines,
  parseFhirNdjson,
  readLinesLimited,
  type FeedLine,
  type FeedLineOutcome,
} from './fhir-ndjson.feed';

const FIXTURES = join(__dirname, '../../../test/fixtures/feeds');
const P1 = '17858512387'; // synthetic test numbers (month + 80)
const P2 = '43914725632';
const P3 = '24926207748';

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) {
    all.push(item);
  }
  return all;
};

const fixture = async (name: string, source: 'eprescription' | 'core-record'): Promise<FeedLineOutcome[]> =>
  collect(parseFhirNdjson(readLinesLimited(createReadStream(join(FIXTURES, name))), source));

/** One word per outcome, for compact tables. */
const summary = (o: FeedLineOutcome): string =>
  'record' in o ? `record:${o.record.kind}` : 'skipped' in o ? `skipped:${o.skipped}` : `rejected:${o.rejected}`;

const recordAt = (outcomes: FeedLineOutcome[], line: number): ExternalRecord => {
  const outcome = outcomes.find((o) => o.line === line);
  if (!outcome || !('record' in outcome)) {
    throw new Error(`line ${line} is not a record`);
  }
  return outcome.record;
};

describe('parseFhirNdjson: e-prescription registry fixture', () => {
  let outcomes: FeedLineOutcome[];
  beforeAll(async () => {
    outcomes = await fixture('eprescription.ndjson', 'eprescription');
  });

  it.each([
    [1, 'record:prescription'],
    [2, 'record:prescription'],
    [3, 'record:dispensing'],
    [4, 'skipped:Patient'],
    [5, 'rejected:malformed JSON'],
    [6, 'rejected:wrong shape: MedicationRequest.subject'],
    [7, 'rejected:invalid patient identifier'],
    [8, 'rejected:unknown status code'],
    [9, 'rejected:missing identifier'],
    [10, `skipped:${BLANK_LINE}`],
    [11, 'rejected:invalid medication'],
    [12, 'record:prescription'],
    [13, 'rejected:malformed JSON'], // truncated last line, no newline
  ])('line %i → %s', (line, expected) => {
    expect(outcomes.map(summary)[line - 1]).toBe(expected);
    expect(outcomes[line - 1]?.line).toBe(line);
  });

  it('yields exactly one outcome per line', () => {
    expect(outcomes.map((o) => o.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('maps a MedicationRequest on business identifiers, OID systems, FEST/ATC codings and structured dosage', () => {
    expect(recordAt(outcomes, 1)).toEqual({
      kind: 'prescription',
      source: 'eprescription',
      prescriptionId: 'a1b2c3d4-0000-4000-8000-000000000001', // the ReseptId, not the first identifier
      patientId: P1,
      status: 'E',
      medication: {
        festId: 'ID_0A6B1C5E-8F0D-4A2B-9C3D-1E2F3A4B5C6D',
        atcCode: 'C09AA05',
        displayName: 'Triatec Tab 5 mg',
      },
      dosage: {
        periods: [{ start: '2026-01-10', fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' }] }],
        instruction: '1 tablett morgen',
      },
      issuedAt: '2026-01-10T09:30:00+01:00',
      expiresOn: '2027-01-10',
      dispensingsAllowed: 4,
      prescriberHpr: '9144889',
    });
  });

  it('takes the 7408 status from an extension, a D-number subject, and an as-needed dose with limits', () => {
    expect(recordAt(outcomes, 2)).toMatchObject({
      status: 'U',
      patientId: P2,
      medication: { atcCode: 'N02BE01', displayName: 'Paracet Tab 500 mg' },
      dosage: {
        periods: [
          {
            start: '2026-01-10',
            fixedDoses: [],
            asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 4, minIntervalHours: 6 },
          },
        ],
      },
    });
  });

  it('keeps an unmappable dosage (range, bare frequency) as text only', () => {
    const record = recordAt(outcomes, 12);
    expect(record).toMatchObject({ dosageText: '1-2 tabletter inntil 3 ganger daglig' });
    expect(record).not.toHaveProperty('dosage');
  });

  it('names the patient of a rejected line only when its subject is valid, and never in the reason', () => {
    expect(outcomes[7]).toEqual({
      line: 8,
      rejected: 'unknown status code',
      resourceType: 'MedicationRequest',
      patientId: P1,
    });
    expect(outcomes[6]).not.toHaveProperty('patientId');
    const reasons = outcomes.flatMap((o) => ('rejected' in o ? [o.rejected] : []));
    expect(reasons.join(' ')).not.toMatch(/\d{6}/);
  });
});

describe('parseFhirNdjson: core-record fixture (CRLF line ends)', () => {
  let outcomes: FeedLineOutcome[];
  beforeAll(async () => {
    outcomes = await fixture('core-record.ndjson', 'core-record');
  });

  it('maps dispensings, annulments and statements; skips prescriptions; rejects bad lines', () => {
    expect(outcomes.map(summary)).toEqual([
      'record:dispensing',
      'record:dispensing',
      'record:statement',
      'skipped:MedicationRequest', // the registry is the authority on prescriptions
      'rejected:dispense not completed',
      'rejected:invalid HER-id',
      'rejected:wrong shape: MedicationDispense.quantity',
      'rejected:malformed JSON',
    ]);
  });

  it('maps a MedicationDispense and its annulment (entered-in-error)', () => {
    const dispensing = {
      kind: 'dispensing',
      source: 'core-record',
      dispensingId: 'd0000000-0000-4000-8000-000000000001',
      prescriptionId: 'a1b2c3d4-0000-4000-8000-000000000001',
      patientId: P1,
      dispensedAt: '2026-01-12T13:05:00+01:00',
      product: {
        festId: 'ID_7D1E2F3A-4B5C-4D6E-8F70-8192A3B4C5D6',
        atcCode: 'C09AA05',
        displayName: 'Ramipril Actavis Tab 5 mg',
      },
      quantity: { value: 100, unit: 'stk' },
      pharmacyHerId: '81234',
    };
    expect(recordAt(outcomes, 1)).toEqual({ ...dispensing, annulled: false });
    expect(recordAt(outcomes, 2)).toEqual({ ...dispensing, annulled: true });
  });

  it('maps a MedicationStatement with its ReseptId and clock-time doses', () => {
    expect(recordAt(outcomes, 3)).toEqual({
      kind: 'statement',
      source: 'core-record',
      statementId: 'pll-0001',
      prescriptionId: 'a1b2c3d4-0000-4000-8000-000000000001',
      patientId: P3,
      status: 'active',
      medication: {
        festId: 'ID_0A6B1C5E-8F0D-4A2B-9C3D-1E2F3A4B5C6D',
        atcCode: 'C09AA05',
        displayName: 'Triatec Tab 5 mg',
      },
      dosage: {
        periods: [
          {
            start: '2025-12-01',
            fixedDoses: [
              { quantity: 1, unit: 'tablett', time: '08:00' },
              { quantity: 1, unit: 'tablett', time: '20:00' },
            ],
          },
        ],
      },
      effectiveFrom: '2025-12-01',
    });
  });
});

describe('parseFhirBundle', () => {
  const bundle: unknown = JSON.parse(readFileSync(join(FIXTURES, 'eprescription.bundle.json'), 'utf8'));

  it('yields one outcome per entry, numbered from 1', () => {
    expect(parseFhirBundle(bundle, 'eprescription').map(summary)).toEqual([
      'record:prescription',
      'rejected:invalid patient identifier',
      'skipped:OperationOutcome',
      'rejected:wrong shape: Bundle.entry.resource',
      'record:prescription',
    ]);
  });

  it('resolves medicationReference to a contained Medication', () => {
    const outcome = parseFhirBundle(bundle, 'eprescription')[4];
    expect(
      outcome && 'record' in outcome && outcome.record.kind === 'prescription' && outcome.record.medication,
    ).toEqual({
      festId: 'ID_5C4B3A29-1807-4F6E-9D5C-4B3A29180706',
      atcCode: 'N02BE01',
      displayName: 'Paracet Tab 500 mg',
    });
  });

  it.each([[null], [[]], ['Bundle'], [{ resourceType: 'Patient' }]])('rejects %j as a whole (entry 0)', (json) => {
    expect(parseFhirBundle(json, 'eprescription')).toEqual([{ line: 0, rejected: 'wrong shape: Bundle' }]);
  });
});

describe('readLinesLimited', () => {
  const linesOf = (chunks: (string | Buffer)[], max = 64): Promise<FeedLine[]> =>
    collect(readLinesLimited(Readable.from(chunks), max));

  it('splits on LF and CRLF, keeps a last line without newline, and adds no empty last line', async () => {
    expect(await linesOf(['a\r\nb', 'c\n\nd\n'])).toEqual(['a', 'bc', '', 'd']);
    expect(await linesOf(['x\ny'])).toEqual(['x', 'y']);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('blå\n', 'utf8');
    expect(await linesOf([bytes.subarray(0, 3), bytes.subarray(3)])).toEqual(['blå']);
  });

  it('accepts a line of exactly the limit and replaces a longer one by a marker', async () => {
    expect(await linesOf(['x'.repeat(64), '\n', 'y'.repeat(65), '\nz'])).toEqual([
      'x'.repeat(64),
      { overlong: true, bytes: 65 },
      'z',
    ]);
  });

  it('rejects a 50 MB line without buffering it, and goes on with the next line', async () => {
    const megabyte = Buffer.alloc(1024 * 1024, 'x'); // one buffer, yielded 50 times: the source holds 1 MiB
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    function* source(): Generator<Buffer> {
      yield Buffer.from('{"resourceType":"Patient"}\n');
      for (let i = 0; i < 50; i += 1) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        yield megabyte;
      }
      yield Buffer.from('\n{"resourceType":"Organization"}\n');
    }
    const outcomes = await collect(parseFhirNdjson(readLinesLimited(Readable.from(source())), 'eprescription'));
    expect(outcomes).toEqual([
      { line: 1, skipped: 'Patient' },
      { line: 2, rejected: 'line too long' },
      { line: 3, skipped: 'Organization' },
    ]);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });
});

describe('parseFhirLine limits', () => {
  it('rejects a string line over the limit without JSON-parsing it', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      expect(parseFhirLine(`{"a":"${'ø'.repeat(40)}"}`, 7, 'eprescription', { maxLineBytes: 60 })).toEqual({
        line: 7,
        rejected: 'line too long',
      });
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });
});

// ---- fuzzing: arbitrary input never throws, one outcome per line, and a record is always complete ----

const REASON =
  /^(malformed JSON|line too long|not a JSON object|missing identifier|invalid identifier|missing patient identifier|unknown patient identifier system|invalid patient identifier|unknown status code|dispense not completed|invalid medication|invalid date|invalid HPR number|invalid HER-id|wrong shape: [A-Za-z.[\]0-9]+|invalid text: [A-Za-z_.[\]0-9*]+)$/;

/** A record is applied whole or not at all: every required field is present and valid. */
/** Every string of a record, at any depth. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : typeof value === 'object' && value !== null
      ? Object.values(value).flatMap(stringsOf)
      : [];

const assertComplete = (record: ExternalRecord): void => {
  expect(isValidPatientId(record.patientId)).toBe(true);
  // Free text is text: no record carries a control or bidi character, and its text is in NFC.
  for (const text of stringsOf(record)) {
    expect(isCleanText(text, true)).toBe(true);
    expect(text.normalize('NFC')).toBe(text);
  }
  assertMedication(record.kind === 'dispensing' ? record.product : record.medication);
  if (record.kind === 'prescription') {
    expect(isIsoDate(record.issuedAt) || isIsoDateTime(record.issuedAt)).toBe(true);
    expect(record.prescriptionId).toMatch(/^[A-Za-z0-9._:-]{1,100}$/);
  }
  if (record.kind === 'dispensing') {
    expect(record.quantity.value).toBeGreaterThan(0);
    expect(isIsoDate(record.dispensedAt) || isIsoDateTime(record.dispensedAt)).toBe(true);
  }
  if (record.kind !== 'dispensing' && record.dosage) {
    expect(isValidDosage(record.dosage)).toBe(true);
  }
};

const checkOutcome = (outcome: FeedLineOutcome, line: number): void => {
  expect(outcome.line).toBe(line);
  if ('rejected' in outcome) {
    expect(outcome.rejected).toMatch(REASON);
  } else if ('record' in outcome) {
    assertComplete(outcome.record);
  }
};

const lines: string[] = readFileSync(join(FIXTURES, 'eprescription.ndjson'), 'utf8').split('\n');
const coreLines: string[] = readFileSync(join(FIXTURES, 'core-record.ndjson'), 'utf8').split('\r\n');
const validResources: unknown[] = [lines[0], lines[1], lines[2], coreLines[0], coreLines[2]].map((l): unknown =>
  JSON.parse(l ?? ''),
);

/** Replaces the value at a random path of a valid resource by arbitrary JSON: probes every mapping branch. */
const mutate = (value: unknown, path: readonly number[], replacement: unknown): unknown => {
  if (path.length === 0 || typeof value !== 'object' || value === null) {
    return replacement;
  }
  const [step = 0, ...rest] = path;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return items.length === 0
      ? replacement
      : items.map((v, i) => (i === step % value.length ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  const key = keys[step % Math.max(1, keys.length)];
  return key === undefined
    ? replacement
    : { ...value, [key]: mutate((value as Record<string, unknown>)[key], rest, replacement) };
};

describe('free text in feed records', () => {
  const first = (): Record<string, unknown> => JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  const withText = (text: string): Record<string, unknown> => {
    const resource = first();
    return { ...resource, medicationCodeableConcept: { ...(resource.medicationCodeableConcept as object), text } };
  };
  const outcomeOf = (resource: unknown): FeedLineOutcome => parseFhirLine(JSON.stringify(resource), 1, 'eprescription');

  it.each([
    ['NUL', 'Triatec\u0000evil'],
    ['a right-to-left override', 'Triatec \u202E5 mg'],
    ['a newline (the name is one line)', 'Triatec\nTab 5 mg'],
    ['a lone surrogate', 'Triatec \uD83D'],
  ])(
    'rejects a line whose medication text holds %s, naming the FHIR path and the patient, never the text',
    (_c, text) => {
      const outcome = outcomeOf(withText(text));

      expect(outcome).toEqual({
        line: 1,
        rejected: 'invalid text: medicationCodeableConcept.text',
        resourceType: 'MedicationRequest',
        patientId: P1,
      });
    },
  );

  it('allows newlines in a dosage instruction, which holds several lines', () => {
    const resource = first();
    const [instruction] = resource.dosageInstruction as Record<string, unknown>[];
    const outcome = outcomeOf({
      ...resource,
      dosageInstruction: [{ ...instruction, text: '1 tablett morgen\nmed mat' }],
    });

    expect('record' in outcome && outcome.record.kind === 'prescription' && outcome.record.dosage?.instruction).toBe(
      '1 tablett morgen\nmed mat',
    );
  });

  it('shows a key that is not a FHIR element name as *, so a reason never carries feed content', () => {
    const outcome = outcomeOf({ ...first(), [P2]: 'x\u0007' });

    expect(outcome).toMatchObject({ rejected: 'invalid text: *' });
    expect(JSON.stringify(outcome)).not.toContain(P2);
  });

  it('reads text in NFC', () => {
    const outcome = outcomeOf(withText('Trie\u0301tec Tab 5 mg'));

    expect('record' in outcome && outcome.record.kind === 'prescription' && outcome.record.medication.displayName).toBe(
      'Tri\u00e9tec Tab 5 mg',
    );
  });
});

describe('parser fuzzing (fast-check)', () => {
  const sources = fc.constantFrom<'eprescription' | 'core-record'>('eprescription', 'core-record');

  it('arbitrary text never throws and yields one valid outcome', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), sources, (text, source) => {
        checkOutcome(parseFhirLine(text, 1, source), 1);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON values never throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), sources, (json, source) => {
        checkOutcome(parseFhirLine(JSON.stringify(json), 3, source), 3);
        parseFhirBundle({ resourceType: 'Bundle', entry: [{ resource: json }] }, source).forEach((o, i) =>
          checkOutcome(o, i + 1),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('valid resources with one part replaced by arbitrary JSON never throw, and records stay complete', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validResources),
        fc.array(fc.nat(40), { maxLength: 6 }),
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.constantFrom(
            null,
            '',
            '17858512388',
            'ID_X',
            'active',
            'entered-in-error',
            -1,
            0,
            'x\u0000',
            'Cafe\u0301',
            '\u202E1',
            '\uD800',
            'a\nb',
          ),
        ),
        sources,
        (resource, path, replacement, source) => {
          checkOutcome(parseFhirLine(JSON.stringify(mutate(resource, path, replacement)), 1, source), 1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a stream of arbitrary lines yields exactly one outcome per line, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.jsonValue().map((j) => JSON.stringify(j)),
          ),
          { maxLength: 20 },
        ),
        async (input) => {
          const outcomes = await collect(parseFhirNdjson(input, 'eprescription'));
          expect(outcomes.map((o) => o.line)).toEqual(input.map((_, i) => i + 1));
          expect([...parseFhirLines(input, 'eprescription')]).toEqual(outcomes);
        },
      ),
      { numRuns: 200 },
    );
  });
});
