import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ReadModelsModule } from '../read-models/read-models.module';
import { AccessGate } from './access-gate';
import { AccessLogResolver } from './graphql/access-log.resolver';
import { AccessGuard } from './graphql/access.guard';
import { AccessStep } from './access-step';
import { PatientContextReader } from './patient-context';

/**
 * The GraphQL side of access control: the global AccessGuard (the one access step of every operation, see
 * access.decorator.ts), the read-model facts it needs (care relations, care-unit residents) and `accessLog`.
 * Needs the global AccessModule (TokenVerifier, AuditService, AUTH_CONFIG), APP_CONFIG and CLOCK.
 */
@Module({
  imports: [ReadModelsModule],
  providers: [
    PatientContextReader,
    AccessStep,
    AccessGate,
    { provide: APP_GUARD, useClass: AccessGuard },
    AccessLogResolver,
  ],
  // The step is callable from any edge (a REST controller), not only through the GraphQL guard; AccessGate is the FHIR
  // edge's (src/fhir) use of the same policy and audit.
  exports: [AccessStep, AccessGate, PatientContextReader],
})
export class AccessControlModule {}
