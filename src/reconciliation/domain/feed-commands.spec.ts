import type { ExternalDispensing } from './external-record';
import { asDateTime, feedCommandId, feedCommands } from './feed-commands';

const NOW = '2026-03-01T13:00:00.000+01:00';
const dispensing = (id: string, overrides: Partial<ExternalDispensing> = {}): ExternalDispensing => ({
  kind: 'dispensing',
  source: 'core-record',
  dispensingId: id,
  prescriptionId: 'rx-1',
  patientId: '31129956715',
  dispensedAt: '2026-02-01',
  product: { displayName: 'Ramipril Actavis Tab 5 mg', atcCode: 'C09AA05' },
  quantity: { value: 100, unit: 'stk' },
  pharmacyHerId: '81234',
  annulled: false,
  ...overrides,
});
const plan = (records: ExternalDispensing[], known: ReadonlyMap<string, { annulled: boolean }> = new Map()) =>
  feedCommands(records, { source: 'core-record', runId: 'run-1', now: NOW, known });

describe('feed dispensings → list commands', () => {
  it('records a dispensing with a deterministic command id as a feed actor; a date-only time is the start of the day', () => {
    const { commands } = plan([dispensing('d1')]);
    expect(commands).toEqual([
      expect.objectContaining({
        type: 'RecordDispensing',
        data: expect.objectContaining({
          dispensingId: 'd1',
          dispensedAt: '2026-02-01T00:00:00.000Z',
          prescriptionUsedUp: false,
        }),
        meta: expect.objectContaining({
          commandId: feedCommandId('core-record', 'd1', false),
          actor: expect.objectContaining({ role: 'feed' }),
        }),
      }),
    ]);
    expect(asDateTime('2026-02-01T10:00:00+01:00')).toBe('2026-02-01T10:00:00+01:00');
  });

  it('annuls after recording; an annulment of an unknown dispensing is counted, not sent', () => {
    const result = plan([dispensing('d1'), dispensing('d1', { annulled: true }), dispensing('d2', { annulled: true })]);
    expect(result.commands.map((c) => [c.type, c.data.dispensingId])).toEqual([
      ['RecordDispensing', 'd1'],
      ['AnnulDispensing', 'd1'],
    ]);
    expect(result.annulmentsOfUnknown).toBe(1);
  });

  it('sends nothing the list already knows, nor the same record twice', () => {
    const known = new Map([
      ['d1', { annulled: false }],
      ['d2', { annulled: true }],
    ]);
    const result = plan(
      [
        dispensing('d1'),
        dispensing('d2', { annulled: true }),
        dispensing('d3'),
        dispensing('d3'),
        dispensing('d1', { annulled: true }),
      ],
      known,
    );
    expect(result.commands.map((c) => [c.type, c.data.dispensingId])).toEqual([
      ['RecordDispensing', 'd3'],
      ['AnnulDispensing', 'd1'],
    ]);
  });

  it('cannot record a dispensing without prescription id or pharmacy', () => {
    const result = plan([
      dispensing('d1', { prescriptionId: undefined }),
      dispensing('d2', { pharmacyHerId: undefined }),
    ]);
    expect(result).toEqual({ commands: [], notRecordable: 2, annulmentsOfUnknown: 0 });
  });
});
