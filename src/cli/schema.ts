import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REGISTER_HEADER } from '../access/organisation-register';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/config';
import { SCHEMA_FILE } from '../graphql/graphql.module';
import { createLogger } from '../observability/logger';
import { failedLine, runCli } from './cli-runner';

/**
 * `npm run schema`: regenerates the committed docs/schema.graphql from the code-first schema, exactly as the
 * app writes it outside production (Nest's header, types sorted lexicographically, no trailing newline).
 * test/e2e/schema.e2e-spec.ts fails when the committed file differs.
 */

/** The header @nestjs/graphql writes above an auto-generated schema file. */
export const SCHEMA_FILE_HEADER = `# ------------------------------------------------------
# THIS FILE WAS AUTOMATICALLY GENERATED (DO NOT MODIFY)
# ------------------------------------------------------

`;

// Only to satisfy production config; the schema does not depend on it and nothing is hashed with it.
const THROWAWAY_SECRET = 'schema-generation-only-not-a-secret-0123456789abcdef';
// Production refuses to start without a JWKS, issuer and audience. Never fetched: the app never listens.
const THROWAWAY_AUTH = {
  AUTH_JWKS_URL: 'https://schema-generation.invalid/jwks.json',
  AUTH_ISSUER: 'https://schema-generation.invalid',
  AUTH_AUDIENCE: 'schema-generation',
  AUTH_PUBLIC_BASE_URL: 'https://schema-generation.invalid',
};

/**
 * The schema of the real AppModule, printed sorted. Booted in production mode so that the app keeps the
 * schema in memory and does NOT write docs/schema.graphql itself (which would make a staleness check vacuous);
 * the app is initialised but never listens, with its data in a throwaway directory.
 */
export const generateSchemaSdl = async (): Promise<string> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'medication-list-schema-'));
  // Production needs an organisation register; an empty one (header only) is enough to build the schema.
  const registerFile = path.join(dataDir, 'organisations.csv');
  writeFileSync(registerFile, `${REGISTER_HEADER}\n`);
  const config = loadConfig({
    ORGANISATION_REGISTER_FILE: registerFile,
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    PATIENT_ID_SECRET: THROWAWAY_SECRET,
    ...THROWAWAY_AUTH,
  });
  const logger = createLogger({ level: 'silent' });
  const app = await NestFactory.create(AppModule.forRoot({ config, logger }), new FastifyAdapter(), {
    logger: false,
    abortOnError: false,
  });
  try {
    await app.init();
    const { schema } = app.get(GraphQLSchemaHost);
    return SCHEMA_FILE_HEADER + printSchema(lexicographicSortSchema(schema));
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

/** The committed schema file, resolved from the working directory (the repository root under npm). */
export const schemaFilePath = (cwd = process.cwd()): string => path.resolve(cwd, SCHEMA_FILE);

/** Writes the schema; returns whether the file changed. */
export const main = async (): Promise<boolean> => {
  const file = schemaFilePath();
  const generated = await generateSchemaSdl();
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === generated) {
    console.log(`${SCHEMA_FILE} is up to date.`);
    return false;
  }
  writeFileSync(file, generated);
  console.log(`Wrote ${SCHEMA_FILE}.`);
  return true;
};

if (require.main === module) {
  runCli(() => main().then(() => 0), { failure: failedLine('schema generation') });
}
