import { Writable } from 'node:stream';
import { MASK, PinoNestLogger, createLogger, maskIdentifiers, redact } from './logger';

// A valid fødselsnummer from domain.md and a synthetic one: neither may ever appear in a log line.
const FNR = '31129956715';

const capture = (): { lines: () => Record<string, unknown>[]; raw: () => string; stream: Writable } => {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const raw = (): string => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    raw()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, raw, stream };
};

describe('maskIdentifiers', () => {
  it.each([
    [`patient ${FNR} looked up`, `patient ${MASK} looked up`],
    [`pid${FNR}`, `pid${MASK}`],
    [`{"patientId":"${FNR}"}`, `{"patientId":"${MASK}"}`],
    ['position 1234567890 and 123456789012', 'position 1234567890 and 123456789012'],
    ['entry 0b9f4f3c-0c0e-4b4e-8f43-123456789012', 'entry 0b9f4f3c-0c0e-4b4e-8f43-123456789012'],
  ])('%s → %s', (input, expected) => {
    expect(maskIdentifiers(input)).toBe(expected);
  });
});

describe('redact', () => {
  it('replaces patient-id fields at any depth and masks 11-digit strings and numbers', () => {
    expect(
      redact({
        patientId: 'anything',
        nested: { list: [{ patient_id: 'x' }, `id ${FNR}`], count: 31129956715, small: 42 },
      }),
    ).toEqual({ patientId: MASK, nested: { list: [{ patient_id: MASK }, `id ${MASK}`], count: MASK, small: 42 } });
  });

  it('turns errors into plain objects with masked message and stack', () => {
    const result = redact(new Error(`no list for ${FNR}`)) as { message: string; stack: string };
    expect(result.message).toBe(`no list for ${MASK}`);
    expect(result.stack).not.toContain(FNR);
  });
});

describe('createLogger', () => {
  it('writes JSON lines with a level label and never a patient id, whichever way it is passed', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out.stream });

    logger.info(`looked up ${FNR}`);
    logger.info('looked up %s', FNR);
    logger.info({ patientId: FNR, query: { variables: { id: FNR } } }, 'request');
    logger.error({ err: new Error(`failed for ${FNR}`) }, 'boom');
    logger.child({ patientId: FNR }).warn('child');

    expect(out.raw()).not.toContain(FNR);
    const lines = out.lines();
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ level: 'info', msg: `looked up ${MASK}`, service: 'medication-list' });
    expect(lines[1]).toMatchObject({ msg: `looked up ${MASK}` });
    expect(lines[2]).toMatchObject({ patientId: MASK, query: { variables: { id: MASK } } });
    expect(lines[3]).toMatchObject({ level: 'error', err: { message: `failed for ${MASK}` } });
  });

  it('honours the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', destination: out.stream });
    logger.info('hidden');
    logger.warn('shown');
    expect(out.lines().map((line) => line.msg)).toEqual(['shown']);
  });
});

describe('PinoNestLogger', () => {
  it("maps Nest's (message, context) and (message, stack, context) calls and redacts them", () => {
    const out = capture();
    const nest = new PinoNestLogger(createLogger({ level: 'info', destination: out.stream }));

    nest.log(`mapped ${FNR}`, 'RoutesResolver');
    nest.error('failed', `Error: ${FNR}\n    at x`, 'ExceptionsHandler');
    nest.warn({ patientId: FNR, note: 'object message' });

    expect(out.raw()).not.toContain(FNR);
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: `mapped ${MASK}`, context: 'RoutesResolver' }),
      expect.objectContaining({
        level: 'error',
        msg: 'failed',
        context: 'ExceptionsHandler',
        stack: `Error: ${MASK}\n    at x`,
      }),
      expect.objectContaining({ level: 'warn', patientId: MASK, note: 'object message' }),
    ]);
  });
});
