import { Controller, Get, Inject, Req, Res, UseFilters } from '@nestjs/common';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { historyOf, searchsetOf } from '../../projections/fhir/fhir-list';
import { parseFhirId } from '../../projections/fhir/fhir-systems';
import { CLOCK, type Clock } from '../shared/clock';
import { capabilityStatement } from './capability-statement';
import { FhirEdge, patientOfParameter } from './fhir-edge';
import { FhirReads, type ListParts, type ListView } from './fhir-reads';
import { assertKnownParameters, filterResources, instantOf } from './fhir-search';
import { FHIR_JSON, FhirExceptionFilter, FhirRequestError } from './fhir.errors';

/**
 * The FHIR R4 read interactions (docs/fhir.md), thin: parameters → FhirEdge (406, 401, policy + audit, 403) →
 * FhirReads → JSON. Every look at a patient's data is audited before the answer, under the policy operation
 * GraphQL uses for the same data: medicationList (List, MedicationStatement/Request/Dispense), medicationHistory
 * (List _history and as-of) and accessLog (AuditEvent).
 */

type Query = Record<string, unknown>;
type Part = keyof ListParts;

const PARTS: Readonly<Record<string, Part>> = {
  MedicationStatement: 'statements',
  MedicationRequest: 'requests',
  MedicationDispense: 'dispenses',
};

const send = (reply: FastifyReply, body: Resource | Bundle, etag?: string): FastifyReply =>
  reply
    .header('content-type', FHIR_JSON)
    .header('cache-control', 'no-store')
    .headers(etag === undefined ? {} : { etag: `W/"${etag}"` })
    .send(body);

// Read from the Fastify request, not through @Query/@Param: the global ValidationPipe would refuse FHIR's dotted
// parameter names (patient.identifier) as non-whitelisted input. They are validated here instead.
const queryOf = (request: FastifyRequest): Query => ({ ...(request.query as Query | undefined) });
/** A route parameter. Fastify gives a matched route all its own parameters, as strings: a missing one is a bug. */
const paramOf = (request: FastifyRequest, name: string): string => {
  const value = (request.params as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') {
    throw new Error(`route parameter ${name} is missing`);
  }
  return value;
};

const notFound = (type: string): FhirRequestError =>
  new FhirRequestError(404, 'not-found', `${type}: no such resource`);

@Controller('fhir')
@UseFilters(FhirExceptionFilter)
export class FhirReadController {
  constructor(
    private readonly edge: FhirEdge,
    private readonly reads: FhirReads,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get('metadata')
  metadata(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    this.edge.negotiate(request);
    return send(reply, capabilityStatement(this.clock.now().toISOString()));
  }

  @Get('List')
  async searchList(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const query = queryOf(request);
    const at = typeof query._at === 'string' ? instantOf(query._at, '_at') : undefined;
    // The list as it was at a past instant is history: the same operation GraphQL's asOf is audited under.
    const view = await this.patientView(request, query, at === undefined ? 'medicationList' : 'medicationHistory', at);
    const include = query._include === 'List:item' ? this.reads.parts(view).statements : [];
    return send(reply, searchsetOf(this.edge.baseUrl(request), [this.reads.list(view)], include));
  }

  @Get('List/:id')
  async readList(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const id = paramOf(request, 'id');
    const view = await this.idView(request, id, 'List', 'medicationList');
    return send(reply, this.reads.list(view), String(view.document.version));
  }

  @Get('List/:id/_history')
  async listHistory(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const id = paramOf(request, 'id');
    const view = await this.idView(request, id, 'List', 'medicationHistory');
    return send(reply, historyOf(this.edge.baseUrl(request), await this.reads.history(view)));
  }

  @Get('List/:id/_history/:vid')
  async listVersion(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const [id, vid] = [paramOf(request, 'id'), paramOf(request, 'vid')];
    const view = await this.idView(request, id, 'List', 'medicationHistory');
    const version = (await this.reads.history(view)).find((list) => list.meta?.versionId === vid) ?? fail404('List');
    return send(reply, version, vid);
  }

  @Get(':type')
  async search(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const type = paramOf(request, 'type');
    const query = queryOf(request);
    if (type === 'AuditEvent') {
      assertKnownParameters(query);
      const patient = patientOfParameter(query['patient.identifier'] ?? query['subject.identifier']);
      const { context } = await this.edge.admit(request, 'accessLog', patient.value);
      const events = await this.reads.auditEvents(context.patient, patient.system);
      return send(reply, searchsetOf(this.edge.baseUrl(request), events));
    }
    const part = PARTS[type] ?? (await this.edge.authenticate(request), fail404(type));
    const view = await this.patientView(request, query, 'medicationList');
    return send(
      reply,
      searchsetOf(this.edge.baseUrl(request), filterResources<Resource>(this.reads.parts(view)[part], query)),
    );
  }

  @Get(':type/:id')
  async read(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    const [type, id] = [paramOf(request, 'type'), paramOf(request, 'id')];
    const part = PARTS[type] ?? (await this.edge.authenticate(request), fail404(type));
    const view = await this.idView(request, id, type, 'medicationList');
    const resource =
      (this.reads.parts(view)[part] as Resource[]).find((candidate) => candidate.id === id) ?? fail404(type);
    return send(reply, resource, String(view.document.version));
  }

  /** Search by patient: the identifier is validated first (400, never echoed), then the access step. */
  private async patientView(
    request: FastifyRequest,
    query: Query,
    operation: 'medicationList' | 'medicationHistory',
    at?: Date,
  ): Promise<ListView> {
    assertKnownParameters(query);
    const patient = patientOfParameter(query['patient.identifier'] ?? query['subject.identifier']);
    const { context } = await this.edge.admit(request, operation, patient.value);
    return this.reads.ofPatient(context.patient, patient.system, at);
  }

  /** Read by resource id: an id of another shape names no patient (404 once authenticated, nothing to audit). */
  private async idView(
    request: FastifyRequest,
    id: string,
    type: string,
    operation: 'medicationList' | 'medicationHistory',
  ): Promise<ListView> {
    const parsed = parseFhirId(id);
    const caller = await this.edge.authenticate(request);
    if (parsed === undefined || (type === 'List') !== (parsed.kind === undefined)) {
      throw notFound(type);
    }
    const { callerIsPatient } = await this.edge.authoriseList(request, caller, operation, parsed.listId);
    const view = this.reads.ofListId(parsed.listId, caller, callerIsPatient);
    return this.reads.exists(view) ? view : fail404(type);
  }
}

function fail404(type: string): never {
  throw notFound(type);
}
