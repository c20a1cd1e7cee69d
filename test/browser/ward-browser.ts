import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

/*
 * The browser suite's tooling (issue 20): Debian's Chromium driven by playwright-core (no browser download), the
 * page built fresh, axe-core injected from node_modules, and a guard that records every request to another host.
 */

/** Where Debian's `apt-get install -y chromium` puts it; CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** .ci/run sets WARD_BROWSER_REQUIRED=1: there a missing browser fails the run instead of skipping the suite. */
export const BROWSER_REQUIRED = process.env.WARD_BROWSER_REQUIRED === '1';

export const browserAvailable = (): boolean => existsSync(CHROMIUM_PATH);

export const SKIP_REASON =
  `browser suite skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH; ` +
  '.ci/run installs it and runs the suite)';

/** Where the tests keep their screenshots: WARD_SCREENSHOT_DIR=docs/ward refreshes the committed ones. */
export const screenshotDir = (): string =>
  process.env.WARD_SCREENSHOT_DIR ?? mkdtempSync(path.join(tmpdir(), 'ward-shots-'));

/** Builds the page as `npm run build` does, into a fresh directory. */
export const buildWardInto = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ward-build-'));
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'web', 'ward', 'build.js'), dir], {
    stdio: 'inherit',
  });
  return dir;
};

export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Playwright gives each launch a fresh temporary profile (the --user-data-dir of the brief).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

/** Aborts and records every HTTP request and WebSocket to a host other than `baseUrl`'s. */
export const guardRequests = async (context: BrowserContext, page: Page, baseUrl: string): Promise<string[]> => {
  const host = new URL(baseUrl).host;
  const foreign: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.host === host || url.protocol === 'data:') {
      await route.continue();
    } else {
      foreign.push(url.href);
      await route.abort();
    }
  });
  page.on('websocket', (socket) => {
    if (new URL(socket.url()).host !== host) {
      foreign.push(socket.url());
    }
  });
  return foreign;
};

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/** axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now; returns the violations (id and targets). */
export const axeViolations = async (page: Page): Promise<{ id: string; targets: string[] }[]> => {
  // Evaluated over the DevTools protocol, so the page's CSP (no inline script) does not apply to the injection.
  await page.evaluate(AXE_SOURCE);
  // A string, run in the page (this file has no DOM types): the result is axe's JSON.
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
  );
  return violations.map((violation) => ({
    id: violation.id,
    targets: violation.nodes.map((node) => node.target.join(' ')),
  }));
};
