import { Inject } from '@nestjs/common';
import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { randomUUID } from 'node:crypto';
import { Access, CommandContext, MissingGrantError, grantedPatient } from '../../access/graphql/access.decorator';
import type { RequestContext } from '../../graphql/request-context';
import { CLOCK, type Clock } from '../../shared/clock';
import type { ListCommandInput } from './medication-list.input-fields';
import {
  AnnulDispensingInput,
  AnswerMultidoseQuestionInput,
  AskMultidoseQuestionInput,
  ChangeDosageInput,
  DiscontinueMedicationInput,
  EndCareRelationInput,
  EndMultidoseInput,
  IssuePrescriptionInput,
  MarkListNotReviewedInput,
  MarkListReviewedInput,
  PauseMedicationInput,
  RecallPrescriptionInput,
  RecordDispensingInput,
  RecordMultidosePackingInput,
  RegisterMultidoseInput,
  RenewPrescriptionInput,
  ResumeMedicationInput,
  RetractMedicationInput,
  StartCareRelationInput,
  StartMedicationInput,
} from './medication-list.inputs';
import { MedicationListPayload, StartMedicationPayload } from './medication-list.payload';
import { type CommandBuilder, MedicationListService } from '../medication-list.service';
import { type MedicationListGql, toMedicationListGql } from './medication-list.types';

// ---- input → command data (no rules: the decider validates) ---------------------------------------------------

/** An input's type with GraphQL's explicit nulls turned into absent properties, as the domain spells them. */
type WithoutNulls<T> = T extends readonly (infer U)[]
  ? WithoutNulls<U>[]
  : T extends object
    ? { [K in keyof T as null extends T[K] ? never : K]: WithoutNulls<T[K]> } & {
        [K in keyof T as null extends T[K] ? K : never]?: WithoutNulls<NonNullable<T[K]>>;
      }
    : T;

const stripNulls = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    return value.map(stripNulls);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).flatMap(([key, field]) =>
        field === null || field === undefined ? [] : [[key, stripNulls(field)]],
      ),
    );
  }
  return value;
};

/**
 * The command data of an input: its own fields as plain objects without nulls; the shared patientId,
 * expectedVersion and commandId go to the service instead. The result type is checked against each command's
 * data type where it is used, so a missing or renamed field fails to compile.
 */
const dataOf = <I extends ListCommandInput>(input: I): WithoutNulls<Omit<I, keyof ListCommandInput>> => {
  const { patientId: _patientId, expectedVersion: _expectedVersion, commandId: _commandId, ...data } = input;
  // The one cast: stripNulls does at run time what WithoutNulls says at compile time.
  return stripNulls(data) as WithoutNulls<Omit<I, keyof ListCommandInput>>;
};

/** The HER-id the access step attributed the call to; absent only when the marker lacks `attributedHerId`. */
const attributedHerIdOf = (context: RequestContext): string => {
  if (context.actor.herId === undefined) {
    throw new MissingGrantError();
  }
  return context.actor.herId;
};

/**
 * The 20 list mutations. Thin: input → command, the service runs it, the current list comes back in the payload.
 * Shapes are the ValidationPipe's, rules the decider's, errors the one normaliser's; access is the AccessGuard's
 * (each @Access marker), before the service is called, and the actor comes from the grant (@CommandContext).
 */
@Resolver()
export class MedicationListMutationsResolver {
  constructor(
    private readonly service: MedicationListService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Mutation(() => StartMedicationPayload, { description: 'GP: put a treatment on the list.' })
  @Access('startMedication', { patient: 'input.patientId' })
  async startMedication(
    @Args('input') input: StartMedicationInput,
    @CommandContext() context: RequestContext,
  ): Promise<StartMedicationPayload> {
    // A retry that sent a command id but no entry id must name the same entry as the first attempt did, so the
    // command id doubles as the entry id then; with neither, the request is not retry-safe anyway.
    const entryId = input.entryId ?? input.commandId ?? randomUUID();
    const payload = await this.run(input, context, (meta) => ({
      type: 'StartMedication',
      data: { ...dataOf(input), entryId },
      meta,
    }));
    // Object.assign keeps run's lazy `list` getter (a spread would fold the list now).
    return Object.assign(payload, { entryId });
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: a new dosage from a date (also tapering).' })
  @Access('changeDosage', { patient: 'input.patientId' })
  changeDosage(
    @Args('input') input: ChangeDosageInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'ChangeDosage', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: pause a treatment; it stays on the list.' })
  @Access('pauseMedication', { patient: 'input.patientId' })
  pauseMedication(
    @Args('input') input: PauseMedicationInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'PauseMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: resume a paused treatment.' })
  @Access('resumeMedication', { patient: 'input.patientId' })
  resumeMedication(
    @Args('input') input: ResumeMedicationInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'ResumeMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'GP: discontinue (seponere) a treatment with a 7494 reason; recalls its prescription.',
  })
  @Access('discontinueMedication', { patient: 'input.patientId' })
  discontinueMedication(
    @Args('input') input: DiscontinueMedicationInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'DiscontinueMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: remove an entry entered in error; the fact stays.' })
  @Access('retractMedication', { patient: 'input.patientId' })
  retractMedication(
    @Args('input') input: RetractMedicationInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RetractMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: link a new prescription to an entry.' })
  @Access('issuePrescription', { patient: 'input.patientId' })
  issuePrescription(
    @Args('input') input: IssuePrescriptionInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'IssuePrescription', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'GP: renew a prescription (recall + a new one pointing back).',
  })
  @Access('renewPrescription', { patient: 'input.patientId' })
  renewPrescription(
    @Args('input') input: RenewPrescriptionInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RenewPrescription', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: recall a prescription (also another doctor’s).' })
  @Access('recallPrescription', { patient: 'input.patientId' })
  recallPrescription(
    @Args('input') input: RecallPrescriptionInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RecallPrescription', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Pharmacy: report a dispensing (M10).' })
  @Access('recordDispensing', { patient: 'input.patientId', attributedHerId: 'input.pharmacyHerId' })
  recordDispensing(
    @Args('input') input: RecordDispensingInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    // The pharmacy is the verified caller's (issue 15): the access step took its HER-id from the register and
    // refused an input naming another, so the input's is never recorded.
    const pharmacyHerId = attributedHerIdOf(context);
    return this.run(input, context, (meta) => ({
      type: 'RecordDispensing',
      data: { ...dataOf(input), pharmacyHerId },
      meta,
    }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Pharmacy: annul an earlier dispensing.' })
  @Access('annulDispensing', { patient: 'input.patientId' })
  annulDispensing(
    @Args('input') input: AnnulDispensingInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'AnnulDispensing', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: register the patient for multidose (M27.1).' })
  @Access('registerMultidose', { patient: 'input.patientId' })
  registerMultidose(
    @Args('input') input: RegisterMultidoseInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RegisterMultidose', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: end multidose for the patient.' })
  @Access('endMultidose', { patient: 'input.patientId' })
  endMultidose(
    @Args('input') input: EndMultidoseInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'EndMultidose', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'Multidose pharmacy: packing report (M25.3); packed: false shows the entry OUTSIDE_MULTIDOSE.',
  })
  @Access('recordMultidosePacking', { patient: 'input.patientId' })
  recordMultidosePacking(
    @Args('input') input: RecordMultidosePackingInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RecordMultidosePacking', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Multidose pharmacy: ask the doctor a 7495 question (M25.2).' })
  @Access('askMultidoseQuestion', { patient: 'input.patientId', attributedHerId: 'input.pharmacyHerId' })
  askMultidoseQuestion(
    @Args('input') input: AskMultidoseQuestionInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    // The asking pharmacy is the verified caller's, as for a dispensing (issue 15): never the input's.
    const pharmacyHerId = attributedHerIdOf(context);
    return this.run(input, context, (meta) => ({
      type: 'AskMultidoseQuestion',
      data: { ...dataOf(input), pharmacyHerId },
      meta,
    }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Multidose doctor: answer the pharmacy with a 7493 code.' })
  @Access('answerMultidoseQuestion', { patient: 'input.patientId' })
  answerMultidoseQuestion(
    @Args('input') input: AnswerMultidoseQuestionInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'AnswerMultidoseQuestion', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: mark the list reconciled or reviewed.' })
  @Access('markListReviewed', { patient: 'input.patientId' })
  markListReviewed(
    @Args('input') input: MarkListReviewedInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'MarkListReviewed', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Mark the list as needing review (e.g. hospital admission).' })
  @Access('markListNotReviewed', { patient: 'input.patientId' })
  markListNotReviewed(
    @Args('input') input: MarkListNotReviewedInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'MarkListNotReviewed', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'A nursing home or home care starts caring for the patient (the basis for its access).',
  })
  @Access('startCareRelation', {
    patient: 'input.patientId',
    careRelation: { organisation: 'input.organisationNumber', unit: 'input.unit' },
  })
  startCareRelation(
    @Args('input') input: StartCareRelationInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    // The relation's patient is the list's own, validated by the service; never a second id from the client.
    return this.run(input, context, (meta, patientId) => ({
      type: 'StartCareRelation',
      data: { ...dataOf(input), patientId },
      meta,
    }));
  }

  @Mutation(() => MedicationListPayload, { description: 'End a care relation.' })
  @Access('endCareRelation', { patient: 'input.patientId', careRelation: { relationId: 'input.relationId' } })
  endCareRelation(
    @Args('input') input: EndCareRelationInput,
    @CommandContext() context: RequestContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'EndCareRelation', data: dataOf(input), meta }));
  }

  private async run(
    input: ListCommandInput,
    context: RequestContext,
    build: CommandBuilder,
  ): Promise<MedicationListPayload> {
    // the patient the access step parsed and keyed for this call (its rule names input.patientId)
    const outcome = await this.service.execute(grantedPatient(context), build, context, {
      commandId: input.commandId ?? undefined,
      expectedVersion: input.expectedVersion ?? undefined,
    });
    const at = this.clock.now();
    let list: MedicationListGql | undefined;
    return {
      // Mapped (and folded) only when the client selects `list`: GraphQL reads the field through this getter.
      get list(): MedicationListGql {
        list ??= toMedicationListGql(outcome.document, at);
        return list;
      },
      position: outcome.position?.toString() ?? null,
      version: outcome.version,
      alreadyApplied: outcome.alreadyApplied,
      changed: outcome.changed,
    };
  }
}
