import type { Command } from '../../shared/event-sourcing/decider';
import type {
  CareRelationStarted,
  DispensingAnnulled,
  DispensingRecorded,
  DiscontinuationReasonCode,
  IsoDate,
  IsoDateTime,
  ListMarkedNotReviewed,
  ListMarkedReviewed,
  MedicationDiscontinued,
  MedicationPaused,
  MedicationResumed,
  MedicationRetracted,
  MedicationStarted,
  MultidoseEnded,
  MultidosePackingRecorded,
  MultidoseQuestionAnswered,
  MultidoseQuestionAsked,
  MultidoseRegistered,
  Dosage,
  Quantity,
  RecallReasonCode,
} from './medication-list.events';

/**
 * The commands of one patient's medication list. Data mirrors the event data (medication-list.events.ts);
 * where it differs, the decider fills in what the list already knows (entry of a prescription, previous
 * dosage, organisation of a care relation) or a pure default (prescription expiry).
 */

/** Put a treatment on the list. Re-sending it with identical data is a no-op. */
export type StartMedication = Command<'StartMedication', MedicationStarted['data']>;

/** New dosage from `effectiveFrom`; the decider records the previous dosage from state. */
export type ChangeDosage = Command<
  'ChangeDosage',
  { readonly entryId: string; readonly dosage: Dosage; readonly effectiveFrom: IsoDate; readonly reason?: string }
>;

export type PauseMedication = Command<'PauseMedication', MedicationPaused['data']>;
export type ResumeMedication = Command<'ResumeMedication', MedicationResumed['data']>;

/** Seponering; also recalls the entry's active prescriptions (reason 2). */
export type DiscontinueMedication = Command<
  'DiscontinueMedication',
  Omit<MedicationDiscontinued['data'], 'reason'> & {
    readonly reasonCode: DiscontinuationReasonCode;
    readonly note?: string;
  }
>;

/** Entered in error; also recalls the entry's active prescriptions (reason 4). */
export type RetractMedication = Command<'RetractMedication', MedicationRetracted['data']>;

/** Link a new prescription to an entry. `expiresOn` defaults to one year after the issue date. */
export type IssuePrescription = Command<
  'IssuePrescription',
  {
    readonly prescriptionId: string;
    readonly entryId: string;
    readonly issuedAt: IsoDateTime;
    readonly expiresOn?: IsoDate;
    readonly dispensingsAllowed?: number;
    readonly quantityAllowed?: Quantity;
  }
>;

/**
 * Renewal = recall of the old prescription (reason 1, or 3 with change) + a new prescription pointing back
 * (domain.md). Omitted `dispensingsAllowed` / `quantityAllowed` are carried over from the old prescription.
 */
export type RenewPrescription = Command<
  'RenewPrescription',
  {
    readonly prescriptionId: string;
    readonly newPrescriptionId: string;
    readonly renewedAt: IsoDateTime;
    readonly withChange: boolean;
    readonly expiresOn?: IsoDate;
    readonly dispensingsAllowed?: number;
    readonly quantityAllowed?: Quantity;
  }
>;

/** The entry comes from the list's own prescription index. */
export type RecallPrescription = Command<
  'RecallPrescription',
  { readonly prescriptionId: string; readonly recalledAt: IsoDateTime; readonly reasonCode: RecallReasonCode }
>;

/** A pharmacy's dispensing report (M10); the entry is filled in when the list knows the prescription. */
export type RecordDispensing = Command<'RecordDispensing', Omit<DispensingRecorded['data'], 'entryId'>>;
export type AnnulDispensing = Command<'AnnulDispensing', DispensingAnnulled['data']>;

export type RegisterMultidose = Command<'RegisterMultidose', MultidoseRegistered['data']>;
export type EndMultidose = Command<'EndMultidose', MultidoseEnded['data']>;
export type RecordMultidosePacking = Command<'RecordMultidosePacking', MultidosePackingRecorded['data']>;
export type AskMultidoseQuestion = Command<'AskMultidoseQuestion', MultidoseQuestionAsked['data']>;
export type AnswerMultidoseQuestion = Command<'AnswerMultidoseQuestion', MultidoseQuestionAnswered['data']>;

export type MarkListReviewed = Command<'MarkListReviewed', ListMarkedReviewed['data']>;
export type MarkListNotReviewed = Command<'MarkListNotReviewed', ListMarkedNotReviewed['data']>;

/** `patientId` is validated and stored in the event, but never echoed in an error. */
export type StartCareRelation = Command<'StartCareRelation', CareRelationStarted['data']>;
/** The organisation and unit are copied from the relation. */
export type EndCareRelation = Command<'EndCareRelation', { readonly relationId: string; readonly endedOn: IsoDate }>;

export type MedicationListCommand =
  | StartMedication
  | ChangeDosage
  | PauseMedication
  | ResumeMedication
  | DiscontinueMedication
  | RetractMedication
  | IssuePrescription
  | RenewPrescription
  | RecallPrescription
  | RecordDispensing
  | AnnulDispensing
  | RegisterMultidose
  | EndMultidose
  | RecordMultidosePacking
  | AskMultidoseQuestion
  | AnswerMultidoseQuestion
  | MarkListReviewed
  | MarkListNotReviewed
  | StartCareRelation
  | EndCareRelation;

export type MedicationListCommandType = MedicationListCommand['type'];

/** The command of a given type, e.g. `CommandOf<'PauseMedication'>`. */
export type CommandOf<TType extends MedicationListCommandType> = Extract<MedicationListCommand, { type: TType }>;
