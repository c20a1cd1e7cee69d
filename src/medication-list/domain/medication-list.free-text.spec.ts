import { specFor } from '../../shared/event-sourcing/decider.spec-helpers';
import { InvalidTextError } from '../../shared/text/free-text';
import { medicationListDecider } from './medication-list.decider';
import type { MedicationListCommand } from './medication-list.commands';
import {
  aCommand,
  aMedicationStarted,
  anEvent,
  aPrescriptionIssued,
  aRecordDispensing,
  aStartCareRelation,
  aStartMedication,
  AT,
  ENTRY_ID,
  sampleDosage,
  sampleMedication,
} from './medication-list.fixtures';

/**
 * Free text is text (issue 14, free-text.ts), in the deciders too: commands that do not come through the GraphQL
 * pipe (CLI, seed, discrepancy resolutions) meet the same rule. Every free-text field of the list's commands.
 */

const given = specFor(medicationListDecider);
const started = aMedicationStarted();
const withDose = (unit: string) => ({
  ...sampleDosage,
  periods: [{ start: '2026-03-02', fixedDoses: [{ quantity: 1, unit, partOfDay: '1' as const }] }],
});

const cases: readonly (readonly [string, (text: string) => MedicationListCommand])[] = [
  ['medication.displayName', (text) => aStartMedication({ medication: { ...sampleMedication, displayName: text } })],
  ['indication', (text) => aStartMedication({ indication: text })],
  ['dosage.instruction', (text) => aStartMedication({ dosage: { ...sampleDosage, instruction: text } })],
  ['dosage.shortCode', (text) => aStartMedication({ dosage: { ...sampleDosage, shortCode: text } })],
  ['a fixed dose unit', (text) => aStartMedication({ dosage: withDose(text) })],
  [
    'discontinuation note',
    (text) => aCommand('DiscontinueMedication', { entryId: ENTRY_ID, discontinuedAt: AT, reasonCode: 'A', note: text }),
  ],
  ['retraction reason', (text) => aCommand('RetractMedication', { entryId: ENTRY_ID, retractedAt: AT, reason: text })],
  ['not-reviewed reason', (text) => aCommand('MarkListNotReviewed', { reason: text, markedAt: AT })],
  ['care unit', (text) => aStartCareRelation({ unit: text })],
  ['resident name', (text) => aStartCareRelation({ residentName: text })],
  ['room', (text) => aStartCareRelation({ room: text })],
];

// A start needs an empty list; the other commands act on the started entry.
const historyFor = (command: MedicationListCommand) => (command.type === 'StartMedication' ? [] : [started]);

describe('free text in list commands', () => {
  it.each(cases)('refuses a NUL in %s with INVALID_TEXT', (_field, command) => {
    const sent = command('Metformin\u0000evil');
    given(historyFor(sent)).when(sent).thenThrows(InvalidTextError, 'INVALID_TEXT');
  });

  it.each(cases)('refuses a right-to-left override in %s', (_field, command) => {
    const sent = command('1 tablett \u202E2 ganger');
    given(historyFor(sent)).when(sent).thenThrows(InvalidTextError, 'INVALID_TEXT');
  });

  it.each(cases)('accepts plain text in %s', (_field, command) => {
    const sent = command('Plain text, 500 mg – ½');
    expect(given(historyFor(sent)).when(sent).events().length).toBeGreaterThan(0);
  });

  it('keeps newlines where a field holds several lines, and refuses them in one-line fields', () => {
    given([started])
      .when(
        aCommand('RetractMedication', {
          entryId: ENTRY_ID,
          retractedAt: AT,
          reason: 'Feil pasient.\nRegistrert på nytt.',
        }),
      )
      .then([
        anEvent('MedicationRetracted', {
          entryId: ENTRY_ID,
          retractedAt: AT,
          reason: 'Feil pasient.\nRegistrert på nytt.',
        }),
      ]);
    given([])
      .when(aStartMedication({ indication: 'Diabetes\ntype 2' }))
      .thenThrows(InvalidTextError, 'INVALID_TEXT');
  });

  it('refuses a DEL in a dispensed quantity unit', () => {
    given([started, aPrescriptionIssued()])
      .when(aRecordDispensing({ quantity: { value: 100, unit: 'tablett\u007F' } }))
      .thenThrows(InvalidTextError, 'INVALID_TEXT');
  });
});
