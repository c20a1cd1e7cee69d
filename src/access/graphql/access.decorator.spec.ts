import { ACCESS_RULE, Access } from './access.decorator';

class Resolver {
  list(): void {}
}

const ruleOf = (decorator: MethodDecorator): unknown => {
  const descriptor = Object.getOwnPropertyDescriptor(Resolver.prototype, 'list') ?? {};
  decorator(Resolver.prototype, 'list', descriptor);
  return Reflect.getMetadata(ACCESS_RULE, descriptor.value as object);
};

describe('@Access', () => {
  it('records the operation and where its target is named', () => {
    expect(ruleOf(Access('startMedication', { patient: 'input.patientId' }))).toEqual({
      operation: 'startMedication',
      patient: 'input.patientId',
    });
    expect(ruleOf(Access('gpWorklist', { hpr: 'hprNumber' }))).toEqual({ operation: 'gpWorklist', hpr: 'hprNumber' });
    expect(ruleOf(Access('importFeed'))).toEqual({ operation: 'importFeed' });
  });

  it.each([
    ['a patient operation without its patient', () => Access('medicationList')],
    ['a care-unit operation without its care unit', () => Access('careUnit', { patient: 'patientId' })],
    ['an operation on no patient with one', () => Access('importFeed', { patient: 'patientId' })],
    ['the GP worklist without the HPR number it is for', () => Access('gpWorklist')],
    [
      'an HPR number on an operation that takes none',
      () => Access('medicationList', { patient: 'patientId', hpr: 'hprNumber' }),
    ],
  ])('refuses %s when the class loads', (_title, mark) => {
    expect(mark).toThrow(/needs the/);
  });
});
