import { Inject } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { randomUUID } from 'node:crypto';
import type { GraphqlContext } from '../graphql/graphql.module';
import { CLOCK, type Clock } from '../shared/clock';
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
import { type CommandBuilder, MedicationListService } from './medication-list.service';
import { toMedicationListGql } from './medication-list.types';

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

/**
 * The 20 list mutations. Thin: input → command, the service runs it, the current list comes back in the payload.
 * Shapes are the ValidationPipe's, rules the decider's, errors the one normaliser's; access decisions come with
 * issue 5, before the service is called. Who may call which mutation is in domain.md ("Who does what").
 */
@Resolver()
export class MedicationListMutationsResolver {
  constructor(
    private readonly service: MedicationListService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Mutation(() => StartMedicationPayload, { description: 'GP: put a treatment on the list.' })
  async startMedication(
    @Args('input') input: StartMedicationInput,
    @Context() context: GraphqlContext,
  ): Promise<StartMedicationPayload> {
    // A retry that sent a command id but no entry id must name the same entry as the first attempt did, so the
    // command id doubles as the entry id then; with neither, the request is not retry-safe anyway.
    const entryId = input.entryId ?? input.commandId ?? randomUUID();
    const { list, position, version, alreadyApplied } = await this.run(input, context, (meta) => ({
      type: 'StartMedication',
      data: { ...dataOf(input), entryId },
      meta,
    }));
    return { list, position, version, alreadyApplied, entryId };
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: a new dosage from a date (also tapering).' })
  changeDosage(
    @Args('input') input: ChangeDosageInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'ChangeDosage', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: pause a treatment; it stays on the list.' })
  pauseMedication(
    @Args('input') input: PauseMedicationInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'PauseMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: resume a paused treatment.' })
  resumeMedication(
    @Args('input') input: ResumeMedicationInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'ResumeMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'GP: discontinue (seponere) a treatment with a 7494 reason; recalls its prescription.',
  })
  discontinueMedication(
    @Args('input') input: DiscontinueMedicationInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'DiscontinueMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: remove an entry entered in error; the fact stays.' })
  retractMedication(
    @Args('input') input: RetractMedicationInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RetractMedication', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: link a new prescription to an entry.' })
  issuePrescription(
    @Args('input') input: IssuePrescriptionInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'IssuePrescription', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: renew a prescription (recall + a new one pointing back).' })
  renewPrescription(
    @Args('input') input: RenewPrescriptionInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RenewPrescription', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: recall a prescription (also another doctor’s).' })
  recallPrescription(
    @Args('input') input: RecallPrescriptionInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RecallPrescription', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Pharmacy: report a dispensing (M10).' })
  recordDispensing(
    @Args('input') input: RecordDispensingInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RecordDispensing', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Pharmacy: annul an earlier dispensing.' })
  annulDispensing(
    @Args('input') input: AnnulDispensingInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'AnnulDispensing', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: register the patient for multidose (M27.1).' })
  registerMultidose(
    @Args('input') input: RegisterMultidoseInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RegisterMultidose', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: end multidose for the patient.' })
  endMultidose(
    @Args('input') input: EndMultidoseInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'EndMultidose', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'Multidose pharmacy: packing report (M25.3); packed: false shows the entry OUTSIDE_MULTIDOSE.',
  })
  recordMultidosePacking(
    @Args('input') input: RecordMultidosePackingInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'RecordMultidosePacking', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Multidose pharmacy: ask the doctor a 7495 question (M25.2).' })
  askMultidoseQuestion(
    @Args('input') input: AskMultidoseQuestionInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'AskMultidoseQuestion', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Multidose doctor: answer the pharmacy with a 7493 code.' })
  answerMultidoseQuestion(
    @Args('input') input: AnswerMultidoseQuestionInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'AnswerMultidoseQuestion', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'GP: mark the list reconciled or reviewed.' })
  markListReviewed(
    @Args('input') input: MarkListReviewedInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'MarkListReviewed', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, { description: 'Mark the list as needing review (e.g. hospital admission).' })
  markListNotReviewed(
    @Args('input') input: MarkListNotReviewedInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'MarkListNotReviewed', data: dataOf(input), meta }));
  }

  @Mutation(() => MedicationListPayload, {
    description: 'A nursing home or home care starts caring for the patient (the basis for its access).',
  })
  startCareRelation(
    @Args('input') input: StartCareRelationInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    // The relation's patient is the list's own, validated by the service; never a second id from the client.
    return this.run(input, context, (meta, patientId) => ({
      type: 'StartCareRelation',
      data: { ...dataOf(input), patientId },
      meta,
    }));
  }

  @Mutation(() => MedicationListPayload, { description: 'End a care relation.' })
  endCareRelation(
    @Args('input') input: EndCareRelationInput,
    @Context() context: GraphqlContext,
  ): Promise<MedicationListPayload> {
    return this.run(input, context, (meta) => ({ type: 'EndCareRelation', data: dataOf(input), meta }));
  }

  private async run(
    input: ListCommandInput,
    context: GraphqlContext,
    build: CommandBuilder,
  ): Promise<MedicationListPayload> {
    const outcome = await this.service.execute(input.patientId, build, context, {
      commandId: input.commandId ?? undefined,
      expectedVersion: input.expectedVersion ?? undefined,
    });
    return {
      list: toMedicationListGql(outcome.document, this.clock.now()),
      position: outcome.position?.toString() ?? null,
      version: outcome.version,
      alreadyApplied: outcome.alreadyApplied,
    };
  }
}
