import { InvalidTextError } from '../text/free-text';
import type { InvalidInputError } from './graphql-error.normaliser';
import { createInputValidationPipe } from './input-validation.pipe';

const FNR = '31129956715';

describe('input validation pipe: free text', () => {
  const pipe = createInputValidationPipe();
  const transform = (value: unknown, data: string, type: 'body' | 'custom' = 'body') =>
    pipe.transform(value, { type, data, metatype: undefined });

  it('refuses a control character in a scalar argument with INVALID_TEXT naming it, never the value', async () => {
    const refused = transform(`${FNR}\u0000`, 'key');

    await expect(refused).rejects.toBeInstanceOf(InvalidTextError);
    await expect(refused).rejects.toMatchObject({ field: 'key', kind: 'invalid' });
    await expect(refused).rejects.not.toHaveProperty('message', expect.stringContaining(FNR));
  });

  it('names fields of a mutation input relative to it, and of other object arguments by the argument', async () => {
    await expect(transform({ medication: { displayName: 'A\u202Eb' } }, 'input')).rejects.toMatchObject({
      field: 'medication.displayName',
    });
    await expect(transform({ reason: 'A\u0007', basisCode: 'HPAKUTT' }, 'emergency')).rejects.toMatchObject({
      field: 'emergency.reason',
    });
  });

  it('allows newline in a multi-line argument and puts every string into NFC', async () => {
    await expect(transform('Avvist.\nSe notat.', 'reason')).resolves.toBe('Avvist.\nSe notat.');
    await expect(transform({ note: 'Cafe\u0301' }, 'input')).resolves.toEqual({ note: 'Caf\u00e9' });
  });

  it('leaves whole feed documents to the feed parser and the server’s own context alone', async () => {
    await expect(transform('{"a":1}\n{"b":"\u0000"}', 'ndjson')).resolves.toBe('{"a":1}\n{"b":"\u0000"}');
    const context = { caller: { name: 'x\u0000' } };
    await expect(transform(context, 'context', 'custom')).resolves.toBe(context);
  });

  it('states the rules a field broke in the message, without its value', () => {
    const factory = (pipe as unknown as { exceptionFactory: (errors: unknown[]) => unknown }).exceptionFactory;
    const error = factory([
      { property: 'commandId', constraints: { maxLength: 'commandId must be at most 100 characters' }, children: [] },
    ]);

    expect(error).toMatchObject({ fields: ['commandId'] });
    expect((error as InvalidInputError).message).toBe(
      'Invalid input: commandId (commandId must be at most 100 characters)',
    );
  });
});
