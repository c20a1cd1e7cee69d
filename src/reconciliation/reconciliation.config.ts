import { type Env, valueOf } from '../config/env';
import { ConfigError } from '../config/config-error';
import type { FeedSource } from './domain/external-record';

/**
 * Configuration of the scheduled feed pull, validated as a whole like src/config/config.ts (every problem one line,
 * values that may hold credentials never echoed). The pull is off unless RECONCILE_PULL_URL is set.
 *
 *   RECONCILE_PULL_URL               http(s) URL serving FHIR NDJSON pages (docs/reconciliation.md, "Pull protocol")
 *   RECONCILE_PULL_SOURCE            eprescription | core-record (required with the URL)
 *   RECONCILE_PULL_INTERVAL_SECONDS  seconds between pulls, 10–86400 (default 300)
 *
 * loadConfig (src/config/config.ts) calls `reconciliationConfigOf` with the other parts, so a bad value fails the
 * start together with every other configuration problem.
 */

export const RECONCILIATION_CONFIG = Symbol('RECONCILIATION_CONFIG');

export interface FeedPullConfig {
  readonly url: string;
  readonly source: FeedSource;
  readonly intervalSeconds: number;
}

export interface ReconciliationConfig {
  /** absent: no scheduled pull */
  readonly pull?: FeedPullConfig;
}

export const DEFAULT_PULL_INTERVAL_SECONDS = 300;
const MIN_INTERVAL = 10;
const MAX_INTERVAL = 86_400;
const SOURCES: readonly FeedSource[] = ['eprescription', 'core-record'];

const urlOf = (raw: string, nodeEnv: string | undefined, problems: string[]): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('RECONCILE_PULL_URL must be an absolute http:// or https:// URL');
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push('RECONCILE_PULL_URL must be an absolute http:// or https:// URL');
  } else if (url.username !== '' || url.password !== '') {
    // Credentials in a URL end up in logs and process listings; the URL is not echoed for the same reason.
    problems.push('RECONCILE_PULL_URL must not contain credentials');
  } else if (nodeEnv === 'production' && url.protocol !== 'https:') {
    problems.push('RECONCILE_PULL_URL must use https:// in production (the feed carries patient data)');
  }
  return url.toString();
};

const intervalOf = (env: Env, problems: string[]): number => {
  const raw = valueOf(env, 'RECONCILE_PULL_INTERVAL_SECONDS');
  if (raw === undefined) {
    return DEFAULT_PULL_INTERVAL_SECONDS;
  }
  const seconds = /^[0-9]+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < MIN_INTERVAL || seconds > MAX_INTERVAL) {
    problems.push(
      `RECONCILE_PULL_INTERVAL_SECONDS must be a whole number from ${MIN_INTERVAL} to ${MAX_INTERVAL} (got "${raw}")`,
    );
    return DEFAULT_PULL_INTERVAL_SECONDS;
  }
  return seconds;
};

/** Parses the pull settings, adding one line per problem to `problems` (the loadConfig convention). */
export const reconciliationConfigOf = (
  env: Env,
  nodeEnv: string | undefined,
  problems: string[],
): ReconciliationConfig => {
  const rawUrl = valueOf(env, 'RECONCILE_PULL_URL');
  const rawSource = valueOf(env, 'RECONCILE_PULL_SOURCE');
  if (rawUrl === undefined) {
    if (rawSource !== undefined || valueOf(env, 'RECONCILE_PULL_INTERVAL_SECONDS') !== undefined) {
      problems.push(
        'RECONCILE_PULL_URL is required when RECONCILE_PULL_SOURCE or RECONCILE_PULL_INTERVAL_SECONDS is set',
      );
    }
    return {};
  }
  const url = urlOf(rawUrl, nodeEnv, problems);
  const source = SOURCES.find((candidate) => candidate === rawSource);
  if (source === undefined) {
    problems.push(
      rawSource === undefined
        ? 'RECONCILE_PULL_SOURCE is required when RECONCILE_PULL_URL is set (eprescription or core-record)'
        : `RECONCILE_PULL_SOURCE must be one of ${SOURCES.join(', ')} (got "${rawSource}")`,
    );
  }
  const intervalSeconds = intervalOf(env, problems);
  return source === undefined ? {} : { pull: { url, source, intervalSeconds } };
};

/** The reconciliation part on its own (tests): throws ConfigError listing every problem. */
export const loadReconciliationConfig = (env: Env): ReconciliationConfig => {
  const problems: string[] = [];
  const config = reconciliationConfigOf(env, valueOf(env, 'NODE_ENV'), problems);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
};
