import type { Decider } from '../../shared/event-sourcing/decider';
import type { MedicationListCommand } from './medication-list.commands';
import type { MedicationListEvent } from './medication-list.events';
import type { MedicationListState } from './medication-list.state';
import { evolve, initialState } from './medication-list.state';
import {
  decideChangeDosage,
  decideDiscontinueMedication,
  decidePauseMedication,
  decideResumeMedication,
  decideRetractMedication,
  decideStartMedication,
} from './medication-list.decide-entries';
import {
  decideAnnulDispensing,
  decideIssuePrescription,
  decideRecallPrescription,
  decideRecordDispensing,
  decideRenewPrescription,
} from './medication-list.decide-prescriptions';
import {
  decideAnswerMultidoseQuestion,
  decideAskMultidoseQuestion,
  decideEndMultidose,
  decideRecordMultidosePacking,
  decideRegisterMultidose,
} from './medication-list.decide-multidose';
import {
  decideEndCareRelation,
  decideMarkListNotReviewed,
  decideMarkListReviewed,
  decideStartCareRelation,
} from './medication-list.decide-list';

export type {
  CareRelationState,
  DispensingState,
  EntryState,
  EntryStatus,
  MedicationListState,
  MultidoseState,
  PrescriptionState,
  QuestionState,
  ReviewState,
} from './medication-list.state';
export { activePrescriptionsOf, evolve, initialState, isInTreatment } from './medication-list.state';

/**
 * Decides what a command means for one patient's list: the events to append ([] = already done), or a typed
 * DomainError. Pure: time comes on the command, state from the fold. The rules live in the topic files
 * medication-list.decide-{entries,prescriptions,multidose,list}.ts.
 */
export const decide = (command: MedicationListCommand, state: MedicationListState): MedicationListEvent[] => {
  switch (command.type) {
    case 'StartMedication':
      return decideStartMedication(command, state);
    case 'ChangeDosage':
      return decideChangeDosage(command, state);
    case 'PauseMedication':
      return decidePauseMedication(command, state);
    case 'ResumeMedication':
      return decideResumeMedication(command, state);
    case 'DiscontinueMedication':
      return decideDiscontinueMedication(command, state);
    case 'RetractMedication':
      return decideRetractMedication(command, state);
    case 'IssuePrescription':
      return decideIssuePrescription(command, state);
    case 'RenewPrescription':
      return decideRenewPrescription(command, state);
    case 'RecallPrescription':
      return decideRecallPrescription(command, state);
    case 'RecordDispensing':
      return decideRecordDispensing(command, state);
    case 'AnnulDispensing':
      return decideAnnulDispensing(command, state);
    case 'RegisterMultidose':
      return decideRegisterMultidose(command, state);
    case 'EndMultidose':
      return decideEndMultidose(command, state);
    case 'RecordMultidosePacking':
      return decideRecordMultidosePacking(command, state);
    case 'AskMultidoseQuestion':
      return decideAskMultidoseQuestion(command, state);
    case 'AnswerMultidoseQuestion':
      return decideAnswerMultidoseQuestion(command, state);
    case 'MarkListReviewed':
      return decideMarkListReviewed(command, state);
    case 'MarkListNotReviewed':
      return decideMarkListNotReviewed(command, state);
    case 'StartCareRelation':
      return decideStartCareRelation(command, state);
    case 'EndCareRelation':
      return decideEndCareRelation(command, state);
  }
};

/**
 * The clinical time of the events a command produces (goes into event metadata and the timeline). A packing
 * report carries no time of its own: it counts from when the service recorded it.
 */
export const clinicalTimeOf = (command: MedicationListCommand): string => {
  switch (command.type) {
    case 'StartMedication':
      return command.data.startedOn;
    case 'ChangeDosage':
      return command.data.effectiveFrom;
    case 'PauseMedication':
      return command.data.pausedAt;
    case 'ResumeMedication':
      return command.data.resumedAt;
    case 'DiscontinueMedication':
      return command.data.discontinuedAt;
    case 'RetractMedication':
      return command.data.retractedAt;
    case 'IssuePrescription':
      return command.data.issuedAt;
    case 'RenewPrescription':
      return command.data.renewedAt;
    case 'RecallPrescription':
      return command.data.recalledAt;
    case 'RecordDispensing':
      return command.data.dispensedAt;
    case 'AnnulDispensing':
      return command.data.annulledAt;
    case 'RegisterMultidose':
      return command.data.from;
    case 'EndMultidose':
      return command.data.endedOn;
    case 'RecordMultidosePacking':
      return command.meta.recordedAt;
    case 'AskMultidoseQuestion':
      return command.data.askedAt;
    case 'AnswerMultidoseQuestion':
      return command.data.answeredAt;
    case 'MarkListReviewed':
      return command.data.reviewedAt;
    case 'MarkListNotReviewed':
      return command.data.markedAt;
    case 'StartCareRelation':
      return command.data.from;
    case 'EndCareRelation':
      return command.data.endedOn;
  }
};

/** The medication-list decider (emmett style): one stream per patient's list. */
export const medicationListDecider: Decider<MedicationListCommand, MedicationListEvent, MedicationListState> = {
  initialState,
  decide,
  evolve,
  clinicalTimeOf,
};
