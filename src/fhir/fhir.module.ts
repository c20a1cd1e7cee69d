import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AccessControlModule } from '../access/access-control.module';
import { RateLimitModule } from '../graphql/rate-limit.module';
import { MedicationListModule } from '../medication-list/medication-list.module';
import { FhirEdge } from './fhir-edge';
import { FhirReadController } from './fhir-read.controller';
import { FhirReads } from './fhir-reads';
import { FhirWriteController } from './fhir-write.controller';
import { FhirExceptionFilter } from './fhir.errors';

/** The largest FHIR body accepted: a MedicationDispense is a few kB. */
const FHIR_BODY_LIMIT = 64 * 1024;

/**
 * The FHIR R4 interface under /fhir (issue 19, docs/fhir.md) on the same Fastify instance as /graphql: thin
 * controllers over the same services, policy (AccessGate) and audit. Registers the `application/fhir+json` body
 * parser (Fastify knows only application/json).
 */
@Module({
  imports: [AccessControlModule, MedicationListModule, RateLimitModule],
  controllers: [FhirReadController, FhirWriteController],
  providers: [FhirEdge, FhirReads, FhirExceptionFilter],
})
export class FhirModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (!fastify.hasContentTypeParser('application/fhir+json')) {
      fastify.addContentTypeParser(
        'application/fhir+json',
        { parseAs: 'string', bodyLimit: FHIR_BODY_LIMIT },
        (_request, body, done) => {
          try {
            done(null, JSON.parse(String(body)));
          } catch {
            done(Object.assign(new Error('Body is not JSON'), { statusCode: 400 }), undefined);
          }
        },
      );
    }
  }
}
