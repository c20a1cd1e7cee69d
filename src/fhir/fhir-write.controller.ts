import { Controller, Inject, Post, Req, Res, UseFilters } from '@nestjs/common';
import type { MedicationDispense } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dispenseOf } from '../../projections/fhir/fhir-prescriptions';
import { MedicationListService } from '../medication-list/medication-list.service';
import { CLOCK, type Clock } from '../shared/clock';
import { dispenseInputOf, ifMatchOf, ifNoneExistOf } from './dispense-input';
import { FhirEdge } from './fhir-edge';
import { FhirReads } from './fhir-reads';
import { FHIR_JSON, FhirExceptionFilter, FhirRequestError } from './fhir.errors';

/**
 * POST /fhir/MedicationDispense: a pharmacy reports a dispensing (M10), or annuls one with status
 * entered-in-error. The same commands, service, policy operations (recordDispensing / annulDispensing), audit and
 * idempotency as the GraphQL mutations: the decider appends nothing for a dispensing id it has (a resent POST
 * answers 200 with the dispensing, a new one 201), `If-None-Exist` answers 200 without a command when the
 * dispensing exists, and `If-Match: W/"<list version>"` makes the write version-aware (412 when stale).
 */
const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class FhirWriteController {
  constructor(
    private readonly edge: FhirEdge,
    private readonly reads: FhirReads,
    private readonly service: MedicationListService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('MedicationDispense')
  async createDispense(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const caller = await this.edge.authenticate(request);
    const contentType = (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== 'application/fhir+json' && contentType !== 'application/json') {
      throw new FhirRequestError(415, 'not-supported', 'Send application/fhir+json');
    }
    // Bad input is refused before anything is decided or written (400 naming the field; nothing audited: it names
    // no valid patient).
    const input = dispenseInputOf(request.body);
    const ifNoneExist = ifNoneExistOf(header(request, 'if-none-exist'));
    const expectedVersion = ifMatchOf(header(request, 'if-match'));
    // A dispensing is the caller's pharmacy's (issue 15): the gate refuses a performer naming another HER-id and
    // gives the actor the caller's organisation's, which is what is recorded.
    const { context } = await this.edge.authorisePatient(
      request,
      caller,
      input.annul ? 'annulDispensing' : 'recordDispensing',
      input.patientId,
      input.annul ? undefined : { ...(input.claimedHerId === undefined ? {} : { claimedHerId: input.claimedHerId }) },
    );
    const pharmacyHerId = context.actor.herId ?? input.claimedHerId ?? '';
    const dispensing = { ...input.dispensing, pharmacyHerId };
    // The patient the gate parsed and keyed: the read and the command take it, so it is hashed once per request.
    const patient = { system: parsedSystem(request.body), value: context.patient.patientId };
    const before = await this.reads.ofPatient(context.patient, patient.system);
    const known = (dispensingId: string): boolean =>
      before.document.entries.some((entry) => entry.dispensings.some((d) => d.dispensingId === dispensingId));
    const list = { listId: before.document.listId, patient };
    const resource = dispenseOf(list, dispensing);
    if (!input.annul && ifNoneExist !== undefined && known(ifNoneExist)) {
      return this.answer(reply, 200, resource, before.document.version);
    }
    const outcome = await this.service.execute(
      context.patient,
      (meta) =>
        input.annul
          ? {
              type: 'AnnulDispensing',
              data: { dispensingId: input.dispensing.dispensingId, annulledAt: this.clock.now().toISOString() },
              meta,
            }
          : { type: 'RecordDispensing', data: dispensing, meta },
      context,
      { ...(expectedVersion === undefined ? {} : { expectedVersion }) },
    );
    if (input.annul) {
      return this.answer(reply, 200, { ...resource, status: 'entered-in-error' }, outcome.version);
    }
    // The decider appends nothing for a dispensing id the list has: a resent POST is 200, not a second dispensing.
    const created = outcome.appendedEvents > 0;
    return this.answer(reply, created ? 201 : 200, resource, outcome.version, created);
  }

  private answer(
    reply: FastifyReply,
    status: number,
    resource: MedicationDispense,
    version: number,
    created = false,
  ): FastifyReply {
    const location = `/fhir/MedicationDispense/${resource.id ?? ''}`;
    return reply
      .code(status)
      .header('content-type', FHIR_JSON)
      .header('etag', `W/"${version}"`)
      .headers(created ? { location } : {})
      .send(resource);
  }
}

/** The subject's system as posted (the parser has checked it matches the number). */
const parsedSystem = (body: unknown): string => {
  const subject: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'subject') : undefined;
  const identifier: unknown =
    typeof subject === 'object' && subject !== null ? Reflect.get(subject, 'identifier') : undefined;
  const system: unknown =
    typeof identifier === 'object' && identifier !== null ? Reflect.get(identifier, 'system') : undefined;
  return typeof system === 'string' ? system : '';
};
