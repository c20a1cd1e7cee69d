import { InvalidInputError } from '../../shared/errors/graphql-error.normaliser';
import { createInputValidationPipe } from '../../shared/errors/input-validation.pipe';
import { PauseMedicationInput } from './medication-list.inputs';
import { PATIENT_ID } from '../domain/medication-list.fixtures';

/** The id rule of IdField as a client meets it: through the global pipe, on a real mutation input. */
const pipe = createInputValidationPipe();
const pause = (overrides: Record<string, unknown>) =>
  pipe.transform(
    { patientId: PATIENT_ID, entryId: 'entry-1', pausedAt: '2026-03-02T09:15:00Z', commandId: 'cmd-1', ...overrides },
    { type: 'body', data: 'input', metatype: PauseMedicationInput },
  );

const refusal = async (overrides: Record<string, unknown>): Promise<InvalidInputError> => {
  const outcome: unknown = await pause(overrides).catch((error: unknown) => error);
  expect(outcome).toBeInstanceOf(InvalidInputError);
  return outcome as InvalidInputError;
};

describe('IdField', () => {
  it('accepts an id of 100 characters of the allowed set', async () => {
    await expect(pause({ commandId: 'a'.repeat(100), entryId: 'A-z_0.9:x' })).resolves.toBeInstanceOf(
      PauseMedicationInput,
    );
  });

  it('tells a client that sent 101 characters the limit, without echoing the id', async () => {
    const id = 'c'.repeat(101);
    const error = await refusal({ commandId: id });

    expect(error.fields).toEqual(['commandId']);
    expect(error.message).toBe('Invalid input: commandId (commandId must be at most 100 characters)');
  });

  it.each([
    ['a space', 'entry 1'],
    ['a slash', 'entry/1'],
    ['a letter outside A–Z', 'entrø-1'],
  ])('tells which characters an id may hold when it has %s', async (_case, entryId) => {
    const error = await refusal({ entryId });

    expect(error.message).toBe('Invalid input: entryId (entryId may hold only letters A–Z a–z, digits and . _ : -)');
  });

  it('refuses an empty id', async () => {
    expect((await refusal({ entryId: '' })).message).toBe('Invalid input: entryId (entryId must not be empty)');
  });
});
