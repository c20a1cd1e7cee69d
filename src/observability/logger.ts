import { type DynamicModule, Global, type LoggerService, Module } from '@nestjs/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from '../config/config';

/**
 * JSON logs with pino. A patient identifier must never reach a log line (domain.md, "Identifiers"), so two
 * independent guards run on every line: any free-standing run of exactly 11 digits (the shape of a fødselsnummer,
 * D-, H- or synthetic number) is masked wherever it appears, in the message and in every string field at any
 * depth, and any field named like a patient id is replaced outright. The cost: an unrelated 11-digit number
 * (rare: positions are usually shorter, UUIDs never are) is masked too.
 */

export const LOGGER = Symbol('LOGGER');

export const MASK = '[REDACTED]';

// Lookarounds instead of \b: "pid31129956715" has no word boundary before the digits but is still an id.
const ELEVEN_DIGITS = /(?<![0-9])[0-9]{11}(?![0-9])/g;
const PATIENT_ID_KEYS = new Set(['patientid', 'patient_id', 'fnr', 'fodselsnummer', 'pid', 'nationalid']);
const MAX_DEPTH = 8;

/** Masks every free-standing 11-digit run in a string. */
export const maskIdentifiers = (text: string): string => text.replace(ELEVEN_DIGITS, MASK);

const isPatientIdKey = (key: string): boolean => PATIENT_ID_KEYS.has(key.toLowerCase().replace(/[-\s]/g, ''));

/** Deep copy with identifiers masked; Errors become plain `{ type, message, stack }` so their text is masked too. */
export const redact = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') {
    return maskIdentifiers(value);
  }
  if (typeof value === 'number' && Number.isInteger(value) && String(Math.abs(value)).length === 11) {
    return MASK;
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (depth >= MAX_DEPTH) {
    return '[Truncated]';
  }
  if (value instanceof Error) {
    return {
      type: value.name,
      name: value.name,
      message: maskIdentifiers(value.message),
      ...(value.stack === undefined ? {} : { stack: maskIdentifiers(value.stack) }),
    };
  }
  if (Array.isArray(value)) {
    return value.map((item) => redact(item, depth + 1));
  }
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    result[key] = isPatientIdKey(key) ? MASK : redact(field, depth + 1);
  }
  return result;
};

export interface LoggerSettings {
  readonly level: LogLevel;
  /** where to write; stdout when omitted (tests pass a buffer) */
  readonly destination?: DestinationStream;
}

/** The one pino instance of an app; passed to Nest and provided as `LOGGER`. */
export const createLogger = ({ level, destination }: LoggerSettings): Logger => {
  const options: LoggerOptions = {
    level,
    base: { service: 'medication-list' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redact(bindings) as Record<string, unknown>,
      // Runs on the merged object of every line, before serializers: guard 1 for fields.
      log: (object) => redact(object) as Record<string, unknown>,
    },
    hooks: {
      // Guard 2 for messages and format arguments (`log.info('looked up %s', id)`).
      logMethod(args, method) {
        const masked = args.map((arg) => redact(arg)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
  const logger = destination === undefined ? pino(options) : pino(options, destination);
  // pino drops the `bindings` formatter for children created without options, so redact child bindings here.
  // Children inherit this override through their prototype, so grandchildren are covered as well.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the child as `this`
  const inheritedChild = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return inheritedChild.call(this, redact(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
};

/** Adapts pino to Nest's LoggerService so framework messages are JSON lines with the same redaction. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    this.write('info', message, optionalParams);
  }

  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }

  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }

  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }

  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }

  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }

  /**
   * Nest calls `log(message, context)` and `error(message, stack, context)`: the last string parameter is the
   * context (class name), a preceding string on `error` is the stack.
   */
  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    params: unknown[],
  ): void {
    const strings = params.filter((param): param is string => typeof param === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
    const fields: Record<string, unknown> = {};
    if (context !== undefined) {
      fields.context = context;
    }
    if (stack !== undefined) {
      fields.stack = stack;
    }
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}

/** Makes the app's pino instance injectable as `LOGGER` (for logs that need fields, e.g. a correlation id). */
@Global()
@Module({})
export class LoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return { module: LoggerModule, providers: [{ provide: LOGGER, useValue: logger }], exports: [LOGGER] };
  }
}
