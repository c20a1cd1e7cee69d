import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { type AppConfig, ConfigError, describeEventStore, loadConfig } from './config/config';
import { PinoNestLogger, createLogger } from './observability/logger';
import { isDomainError } from './shared/errors/domain-error';

/** Longest a graceful shutdown may take before the process gives up and exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Builds the Nest application on Fastify (not listening yet). Shared by `bootstrap` and the e2e tests, so both
 * run the same composition.
 */
export const createApp = async (config: AppConfig, logger: Logger): Promise<NestFastifyApplication> => {
  // The embedded event file and the read models live here; a fresh clone has no ./data yet.
  mkdirSync(config.dataDir, { recursive: true });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, logger }),
    // Fastify's own logger stays off: request lines would carry URLs, and GET /graphql URLs carry variables.
    new FastifyAdapter({ logger: false }),
    // abortOnError false: a failing provider rejects here (and we exit 1) instead of process.abort().
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  // SIGTERM/SIGINT → app.close(): stop accepting, finish in-flight requests, then close the event store.
  // useProcessExit: exit(0) rather than re-raising the signal, so pino flushes its last lines on 'exit'.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  return app;
};

/** pino may buffer: flush before exiting so the reason for the exit is not lost. */
const exitAfterFlush = (logger: Logger, code: number): void => {
  logger.flush(() => process.exit(code));
};

/** One fatal line per problem, no stack: the operator needs the variable and the file, not our call stack. */
const refuseToStart = (error: ConfigError): void => {
  const logger = createLogger({ level: 'info' });
  for (const problem of error.problems) {
    logger.fatal({ problem }, `configuration: ${problem}`);
  }
  logger.fatal('refusing to start: fix the configuration above');
  exitAfterFlush(logger, 1);
};

const bootstrap = async (): Promise<void> => {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      refuseToStart(error);
      return;
    }
    throw error;
  }

  const logger = createLogger({ level: config.logLevel });
  for (const warning of config.warnings) {
    logger.warn(warning);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // If a dependency hangs during shutdown, exit anyway rather than linger unkillable by the orchestrator.
      setTimeout(() => {
        logger.error({ signal }, `shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms: exiting`);
        exitAfterFlush(logger, 1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }

  const app = await createApp(config, logger);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info(
    { port: config.port, eventStore: config.eventStore.kind, nodeEnv: config.nodeEnv, authMode: config.auth.mode },
    `listening on http://0.0.0.0:${config.port} (event store: ${describeEventStore(config)}, auth: ${config.auth.mode})`,
  );
};

if (require.main === module) {
  bootstrap().catch((error: unknown) => {
    // Files named by the configuration (the JWKS, the organisation register) are read while the app is built.
    if (error instanceof ConfigError) {
      refuseToStart(error);
      return;
    }
    const logger = createLogger({ level: 'info' });
    // A typed refusal (another process holds the read-model file) says what to do: make it the message itself.
    logger.fatal({ err: error }, isDomainError(error) ? `failed to start: ${error.message}` : 'failed to start');
    exitAfterFlush(logger, 1);
  });
}
