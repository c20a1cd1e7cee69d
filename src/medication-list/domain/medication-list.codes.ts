import type {
  DiscontinuationReasonCode,
  MultidoseAnswerCode,
  MultidoseQuestionCode,
  PartOfDayCode,
  PrescriptionType,
  RecallReasonCode,
  ReviewKind,
  UseCode,
  Weekday,
} from './medication-list.events';
import { UnknownCodeError } from './medication-list.errors';

/**
 * The code lists the list uses, as data with Norwegian (`no`) and English (`en`) labels, for validation,
 * GraphQL enums and the timeline. Numbered lists are the national Volven code lists (domain.md);
 * `prescriptionType`, `reviewKind` and `weekday` are this service's own small vocabularies.
 */
export interface CodeListEntry<TCode extends string = string> {
  readonly code: TCode;
  readonly no: string;
  readonly en: string;
}

export interface CodeList<TCode extends string = string> {
  /** the Volven code list number (e.g. '9101') or the service's own list name */
  readonly id: string;
  readonly name: string;
  readonly entries: readonly CodeListEntry<TCode>[];
}

const codeList = <TCode extends string>(
  id: string,
  name: string,
  entries: readonly CodeListEntry<TCode>[],
): CodeList<TCode> => ({ id, name, entries });

/** 9101 Bruk: how the drug is used. */
export const useCodes = codeList<UseCode>('9101', 'Bruk', [
  { code: '1', no: 'Fast', en: 'Regular' },
  { code: '2', no: 'Kur', en: 'Course' },
  { code: '3', no: 'Ved behov', en: 'As needed' },
]);

/** 8325 Tidspunkt på dagen: part of day of a fixed dose. */
export const partOfDayCodes = codeList<PartOfDayCode>('8325', 'Tidspunkt på dagen', [
  { code: '1', no: 'Morgen', en: 'Morning' },
  { code: '2', no: 'Formiddag', en: 'Before noon' },
  { code: '3', no: 'Middag', en: 'Midday' },
  { code: '4', no: 'Ettermiddag', en: 'Afternoon' },
  { code: '5', no: 'Kveld', en: 'Evening' },
  { code: '6', no: 'Natt', en: 'Night' },
]);

/** 7494 Årsak til seponering. */
export const discontinuationReasonCodes = codeList<DiscontinuationReasonCode>('7494', 'Årsak til seponering', [
  { code: 'A', no: 'Avsluttet behandling', en: 'Treatment finished' },
  { code: 'M', no: 'Manglende effekt', en: 'Lack of effect' },
  { code: 'L', no: 'Bivirkning', en: 'Adverse reaction' },
  { code: 'I', no: 'Interaksjon', en: 'Interaction' },
  { code: 'S', no: 'Pasienten har sluttet', en: 'Patient stopped' },
  { code: 'X', no: 'Annet', en: 'Other' },
]);

/** 7500 Årsak til tilbakekalling. */
export const recallReasonCodes = codeList<RecallReasonCode>('7500', 'Årsak til tilbakekalling', [
  { code: '1', no: 'Fornying', en: 'Renewal' },
  { code: '2', no: 'Seponering', en: 'Discontinuation' },
  { code: '3', no: 'Fornying med endring', en: 'Renewal with change' },
  { code: '4', no: 'Annet', en: 'Other' },
]);

/** 7495 Spørsmål fra multidoseapotek. */
export const multidoseQuestionCodes = codeList<MultidoseQuestionCode>('7495', 'Spørsmål fra multidoseapotek', [
  { code: '1', no: 'Skal legemiddelet seponeres?', en: 'Discontinue the item?' },
  { code: '2', no: 'Skal legemiddelet inkluderes i listen?', en: 'Include the item in the list?' },
  { code: '3', no: 'Skal resepten fornyes?', en: 'Renew the prescription?' },
  { code: '4', no: 'Annet', en: 'Other' },
  { code: '5', no: 'Melding', en: 'Message' },
]);

/** 7493 Svar fra multidoselege. */
export const multidoseAnswerCodes = codeList<MultidoseAnswerCode>('7493', 'Svar fra multidoselege', [
  { code: '1', no: 'Seponert', en: 'Discontinued' },
  { code: '2', no: 'Ikke seponert', en: 'Not discontinued' },
  { code: '3', no: 'Inkludert', en: 'Included' },
  { code: '4', no: 'Ikke inkludert', en: 'Not included' },
  { code: '5', no: 'Fornyet', en: 'Renewed' },
  { code: '6', no: 'Ikke fornyet', en: 'Not renewed' },
  { code: '7', no: 'Svar på annet', en: 'Answer to other' },
  { code: '8', no: 'Melding mottatt', en: 'Message received' },
]);

/** 7408 Status resept, as the prescription intermediary (RF) and the core record report it. */
export type PrescriptionStatusCode = 'E' | 'U' | 'R' | 'T' | 'F';
export const prescriptionStatusCodes = codeList<PrescriptionStatusCode>('7408', 'Status resept', [
  { code: 'E', no: 'Ekspederbar', en: 'Dispensable' },
  { code: 'U', no: 'Under ekspedering', en: 'Being dispensed' },
  { code: 'R', no: 'Resept avsluttet', en: 'Ended' },
  { code: 'T', no: 'Tilbakekalt', en: 'Recalled' },
  { code: 'F', no: 'Foreldet', en: 'Expired' },
]);

/** How the entry is prescribed: E e-prescription, P paper, U without prescription. */
export const prescriptionTypeCodes = codeList<PrescriptionType>('prescriptionType', 'Resepttype', [
  { code: 'E', no: 'E-resept', en: 'E-prescription' },
  { code: 'P', no: 'Papirresept', en: 'Paper prescription' },
  { code: 'U', no: 'Uten resept', en: 'Without prescription' },
]);

export const reviewKindCodes = codeList<ReviewKind>('reviewKind', 'Gjennomgang', [
  { code: 'reconciliation', no: 'Samstemming', en: 'Reconciliation' },
  { code: 'medication-review', no: 'Legemiddelgjennomgang', en: 'Medication review' },
]);

export const weekdayCodes = codeList<Weekday>('weekday', 'Ukedag', [
  { code: 'mon', no: 'mandag', en: 'Monday' },
  { code: 'tue', no: 'tirsdag', en: 'Tuesday' },
  { code: 'wed', no: 'onsdag', en: 'Wednesday' },
  { code: 'thu', no: 'torsdag', en: 'Thursday' },
  { code: 'fri', no: 'fredag', en: 'Friday' },
  { code: 'sat', no: 'lørdag', en: 'Saturday' },
  { code: 'sun', no: 'søndag', en: 'Sunday' },
]);

/** Every code list by id, for GraphQL and documentation. */
export const codeLists = {
  use: useCodes,
  partOfDay: partOfDayCodes,
  discontinuationReason: discontinuationReasonCodes,
  recallReason: recallReasonCodes,
  multidoseQuestion: multidoseQuestionCodes,
  multidoseAnswer: multidoseAnswerCodes,
  prescriptionStatus: prescriptionStatusCodes,
  prescriptionType: prescriptionTypeCodes,
  reviewKind: reviewKindCodes,
  weekday: weekdayCodes,
} as const;

export const isCode = <TCode extends string>(list: CodeList<TCode>, value: unknown): value is TCode =>
  typeof value === 'string' && list.entries.some((entry) => entry.code === value);

/** Narrows `value` to a code of `list` or throws UnknownCodeError naming the list and the field. */
export function assertCode<TCode extends string>(
  list: CodeList<TCode>,
  value: unknown,
  field: string,
): asserts value is TCode {
  if (!isCode(list, value)) {
    throw new UnknownCodeError(
      list.id,
      field,
      list.entries.map((entry) => entry.code),
    );
  }
}

/** The label of a code, or undefined for a code the list does not have. */
export const labelOf = <TCode extends string>(
  list: CodeList<TCode>,
  code: string,
  language: 'no' | 'en' = 'no',
): string | undefined => list.entries.find((entry) => entry.code === code)?.[language];
