import { ConfigError } from '../config/config';
import { DEFAULT_PULL_INTERVAL_SECONDS, loadReconciliationConfig } from './reconciliation.config';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadReconciliationConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
};

describe('reconciliation config', () => {
  it('is off when RECONCILE_PULL_URL is unset (blank counts as unset)', () => {
    expect(loadReconciliationConfig({})).toEqual({});
    expect(loadReconciliationConfig({ RECONCILE_PULL_URL: '  ' })).toEqual({});
  });

  it('reads a pull with the default interval', () => {
    expect(
      loadReconciliationConfig({
        RECONCILE_PULL_URL: 'https://feeds.example/core',
        RECONCILE_PULL_SOURCE: 'core-record',
      }),
    ).toEqual({
      pull: {
        url: 'https://feeds.example/core',
        source: 'core-record',
        intervalSeconds: DEFAULT_PULL_INTERVAL_SECONDS,
      },
    });
  });

  it('reports every problem at once, one line each, without echoing the URL', () => {
    const problems = problemsOf({
      RECONCILE_PULL_URL: 'https://user:secret@feeds.example/core',
      RECONCILE_PULL_SOURCE: 'registry',
      RECONCILE_PULL_INTERVAL_SECONDS: '5',
    });
    expect(problems).toEqual([
      'RECONCILE_PULL_URL must not contain credentials',
      'RECONCILE_PULL_SOURCE must be one of eprescription, core-record (got "registry")',
      'RECONCILE_PULL_INTERVAL_SECONDS must be a whole number from 10 to 86400 (got "5")',
    ]);
    expect(problems.join()).not.toContain('secret');
  });

  it.each([
    [
      { RECONCILE_PULL_SOURCE: 'eprescription' },
      'RECONCILE_PULL_URL is required when RECONCILE_PULL_SOURCE or RECONCILE_PULL_INTERVAL_SECONDS is set',
    ],
    [
      { RECONCILE_PULL_URL: 'https://feeds.example' },
      'RECONCILE_PULL_SOURCE is required when RECONCILE_PULL_URL is set (eprescription or core-record)',
    ],
    [
      { RECONCILE_PULL_URL: 'ftp://feeds.example', RECONCILE_PULL_SOURCE: 'eprescription' },
      'RECONCILE_PULL_URL must be an absolute http:// or https:// URL',
    ],
    [
      { RECONCILE_PULL_URL: 'feeds/core', RECONCILE_PULL_SOURCE: 'eprescription' },
      'RECONCILE_PULL_URL must be an absolute http:// or https:// URL',
    ],
    [
      { NODE_ENV: 'production', RECONCILE_PULL_URL: 'http://feeds.example', RECONCILE_PULL_SOURCE: 'eprescription' },
      'RECONCILE_PULL_URL must use https:// in production (the feed carries patient data)',
    ],
  ])('refuses %j', (env, problem) => {
    expect(problemsOf(env)).toEqual([problem]);
  });
});
