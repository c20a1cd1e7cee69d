import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generatePersonNumber } from '../../src/identifiers/norwegian-identifiers';
import { NURSING_HOME_ORG } from '../../src/medication-list/domain/medication-list.fixtures';
import { WARD_ASSETS_DIR } from '../../src/ward/ward-assets';
import { type TestApp, bootTestApp } from '../e2e/app.e2e-helpers';
import { dataOf, syntheticPatientId } from '../e2e/read-side.e2e-helpers';
import {
  BROWSER_REQUIRED,
  SKIP_REASON,
  axeViolations,
  browserAvailable,
  buildWardInto,
  guardRequests,
  launch,
  screenshotDir,
} from './ward-browser';

/**
 * The ward page in a real browser (issue 20): Debian's Chromium via playwright-core against the real AppModule
 * (SQLite in a temp dir, fixed clock) and the page as `npm run build` builds it. A nurse signs in with the dev
 * form, reads her unit and a resident's chart, receives a live change, looks back in time, prints to PDF; axe-core
 * finds no WCAG 2.1 A/AA violation on any view; the page makes no request to another host. Screenshots of each
 * view go to WARD_SCREENSHOT_DIR (docs/ward for the committed ones).
 */

const NOW = '2026-11-20T09:00:00.000Z';
const UNIT = 'Avdeling 2';
const ASTRID = syntheticPatientId(21);
const OLAV = syntheticPatientId(22);
const INGRID = syntheticPatientId(23);

/** Residents born in 1940 (synthetic numbers, month + 80), one per index. */
const syntheticPatientIdFor = (index: number): string => {
  for (let individual = 100; individual < 500; individual += 1) {
    const id = generatePersonNumber(
      { year: 1940, month: 1 + Math.floor(index / 28), day: 1 + (index % 28) },
      individual,
      { monthOffset: 80 },
    );
    if (id !== undefined) {
      return id;
    }
  }
  throw new Error('no valid synthetic number');
};

const run = browserAvailable();
if (!run) {
  process.stderr.write(`\n${SKIP_REASON}\n\n`);
}

if (!run && BROWSER_REQUIRED) {
  it('has Chromium (WARD_BROWSER_REQUIRED=1)', () => {
    throw new Error(SKIP_REASON);
  });
}

(run ? describe : describe.skip)(run ? 'the ward page in Chromium' : SKIP_REASON, () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let foreign: string[];
  const shots = screenshotDir();

  const gp = async (mutation: string, input: Record<string, unknown>): Promise<string> => {
    const field = /\{\s*(\w+)\(/.exec(mutation)?.[1] ?? '';
    const result = dataOf(await t.graphql(mutation, { input }))[field] as { position: string };
    return result.position;
  };
  const M = (name: string, type: string) => `mutation M($input: ${type}!) { ${name}(input: $input) { position } }`;
  const start = (patientId: string, entryId: string, extra: Record<string, unknown>) =>
    gp(M('startMedication', 'StartMedicationInput'), {
      patientId,
      entryId,
      startedOn: '2026-10-01',
      prescriptionType: 'E',
      use: '1',
      ...extra,
    });
  const twice = {
    shortCode: '1+0+1',
    periods: [
      {
        start: '2026-10-01',
        fixedDoses: [
          { quantity: 1, unit: 'tablett', partOfDay: '1' },
          { quantity: 1, unit: 'tablett', partOfDay: '5' },
        ],
      },
    ],
  };
  const projected = async (position: string) => {
    for (const name of ['currentMedicationList', 'careUnitOverview', 'gpWorklist']) {
      await t.projector.waitForPosition(name, BigInt(position), 10_000);
    }
  };
  const shoot = async (name: string) => {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  };
  const expectNoAxeViolations = async () => {
    expect(await axeViolations(page)).toEqual([]);
  };

  beforeAll(async () => {
    const assets = buildWardInto();
    t = await bootTestApp({
      now: NOW,
      override: (builder) => builder.overrideProvider(WARD_ASSETS_DIR).useValue(assets),
    });
    const admit = (patientId: string, relationId: string, residentName: string, room: string) =>
      gp(M('startCareRelation', 'StartCareRelationInput'), {
        patientId,
        relationId,
        organisationNumber: NURSING_HOME_ORG,
        unit: UNIT,
        from: '2026-09-01',
        residentName,
        room,
      });
    await admit(ASTRID, 'rel-a', 'Astrid Hansen', 'Rom 101');
    await admit(OLAV, 'rel-o', 'Olav Berg', 'Rom 102');
    await admit(INGRID, 'rel-i', 'Ingrid Dahl', 'Rom 103');
    // Astrid: multidose with one drug outside the bags, a regular drug, an as-needed one, a tapering course, a paused
    // and a discontinued one; reviewed, then changed after the review.
    await gp(M('registerMultidose', 'RegisterMultidoseInput'), {
      patientId: ASTRID,
      from: '2026-10-01',
      pharmacyHerId: '81235',
      responsibleDoctorHpr: '999999999',
    });
    await start(ASTRID, 'metformin', {
      medication: { atcCode: 'A10BA02', displayName: 'Metformin Teva Tab 500 mg' },
      indication: 'Diabetes type 2',
      dosage: twice,
    });
    await start(ASTRID, 'eyedrops', {
      medication: { atcCode: 'S01ED51', displayName: 'Xalcom øyedråper' },
      dosage: { periods: [{ start: '2026-10-01', fixedDoses: [{ quantity: 1, unit: 'dråpe', time: '21:00' }] }] },
    });
    await start(ASTRID, 'paracet', {
      medication: { atcCode: 'N02BE01', displayName: 'Paracet Tab 500 mg' },
      use: '3',
      indication: 'Smerter',
      prescriptionType: 'U',
      dosage: {
        periods: [
          {
            start: '2026-10-01',
            fixedDoses: [],
            asNeeded: { quantity: 1, unit: 'tablett', maxPer24h: 4, minIntervalHours: 4 },
          },
        ],
      },
    });
    await start(ASTRID, 'prednisolon', {
      medication: { atcCode: 'H02AB06', displayName: 'Prednisolon Tab 5 mg' },
      use: '2',
      dosage: {
        periods: [
          { start: '2026-11-10', end: '2026-11-23', fixedDoses: [{ quantity: 2, unit: 'tablett', partOfDay: '1' }] },
          { start: '2026-11-24', end: '2026-12-07', fixedDoses: [{ quantity: 1, unit: 'tablett', partOfDay: '1' }] },
        ],
      },
    });
    await start(ASTRID, 'simva', {
      medication: { atcCode: 'C10AA01', displayName: 'Simvastatin Tab 20 mg' },
      dosage: twice,
    });
    await start(ASTRID, 'furo', { medication: { atcCode: 'C03CA01', displayName: 'Furix Tab 40 mg' }, dosage: twice });
    await gp(M('recordMultidosePacking', 'RecordMultidosePackingInput'), {
      patientId: ASTRID,
      packingId: 'pack-1',
      firstDoseOn: '2026-11-16',
      lastDoseOn: '2026-11-29',
      orderDeadline: '2026-11-25',
      entries: [
        { entryId: 'metformin', packed: true },
        { entryId: 'eyedrops', packed: false },
        { entryId: 'simva', packed: true },
        { entryId: 'prednisolon', packed: true },
      ],
    });
    await gp(M('markListReviewed', 'MarkListReviewedInput'), {
      patientId: ASTRID,
      kind: 'medication-review',
      reviewedAt: '2026-11-01T10:00:00Z',
    });
    await gp(M('pauseMedication', 'PauseMedicationInput'), {
      patientId: ASTRID,
      entryId: 'simva',
      pausedAt: '2026-11-18T10:00:00Z',
      reason: 'Muskelsmerter',
    });
    await gp(M('discontinueMedication', 'DiscontinueMedicationInput'), {
      patientId: ASTRID,
      entryId: 'furo',
      discontinuedAt: '2026-11-19T10:00:00Z',
      reasonCode: 'L',
      note: 'Svimmelhet',
    });
    // Ingrid: a prescription that expires in a week.
    await start(INGRID, 'levaxin', {
      medication: { atcCode: 'H03AA01', displayName: 'Levaxin Tab 50 µg' },
      dosage: { periods: [{ start: '2026-10-01', fixedDoses: [{ quantity: 1, unit: 'tablett', time: '07:00' }] }] },
    });
    const last = await gp(M('issuePrescription', 'IssuePrescriptionInput'), {
      patientId: INGRID,
      entryId: 'levaxin',
      prescriptionId: 'rx-lev',
      issuedAt: '2025-11-27T09:00:00Z',
    });
    await projected(last);

    browser = await launch();
    context = await browser.newContext({
      viewport: { width: 1200, height: 900 },
      locale: 'nb-NO',
      timezoneId: 'Europe/Oslo',
    });
    page = await context.newPage();
    await page.clock.setFixedTime(new Date(NOW));
    foreign = await guardRequests(context, page, t.baseUrl);
  });

  afterAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
    await browser?.close();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
    await t?.close();
  });

  it('signs a nurse in with the dev form (labels, keyboard) and shows her unit sorted by attention', async () => {
    await page.goto(`${t.baseUrl}/ward`);
    await page.getByRole('heading', { name: 'Logg inn (utviklingsmodus)' }).waitFor();
    await expectNoAxeViolations();
    await shoot('ward-signin');

    await page.getByLabel('Organisasjonsnummer').fill(NURSING_HOME_ORG);
    await page.getByLabel('Avdeling').fill(UNIT);
    await page.getByLabel('HPR-nummer').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Logg inn');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: /Avdeling 2/ }).waitFor();
    const rows = page.locator('table.unit tbody tr');
    await rows.nth(2).waitFor();
    // Ingrid first: a prescription expiring within 14 days on a list never reviewed (every change counts)
    expect(await rows.locator('th').allTextContents()).toEqual(['Ingrid Dahl', 'Astrid Hansen', 'Olav Berg']);
    const astrid = await rows.nth(1).textContent();
    expect(astrid).toContain('Rom 101');
    expect(astrid).toContain(`${ASTRID.slice(0, 6)} *****`);
    expect(astrid).not.toContain(ASTRID);
    expect(astrid).toMatch(/2 utenfor multidose/);
    expect(astrid).toMatch(/1 pauset/);
    expect(astrid).toMatch(/2 endringer siden gjennomgang/);
    expect(await rows.nth(0).textContent()).toContain('1 resept utløper innen 14 dager');
    expect(await rows.nth(2).textContent()).toContain('Ingenting nytt');
    await expectNoAxeViolations();
    await shoot('ward-unit');
  });

  it('opens a chart by keyboard: the grid of times, as needed, tapering, multidose, paused, discontinued, changes', async () => {
    await page.getByRole('button', { name: 'Astrid Hansen' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Legemiddelkort: Astrid Hansen, Rom 101/ }).waitFor();
    await page.getByRole('heading', { name: 'Faste legemidler' }).waitFor();

    const grid = page.locator('table.grid');
    expect(await grid.locator('thead th').allTextContents()).toEqual([
      'Legemiddel',
      'Morgen',
      'Kveld',
      'Kl. 21:00',
      'Bruk',
    ]);
    const metformin = await grid.locator('tr', { hasText: 'Metformin' }).locator('td').allTextContents();
    expect(metformin).toEqual(['1 tablett', '1 tablett', '–', 'Fast – Diabetes type 2']);
    expect(await grid.locator('tr', { hasText: 'Prednisolon' }).locator('td').first().textContent()).toBe('2 tablett');
    expect(await grid.locator('tr', { hasText: 'Xalcom' }).textContent()).toContain('Utenfor multidose');

    const text = (await page.locator('section.chart').textContent()) ?? '';
    expect(text).toContain('Listeversjon 12');
    expect(text).toMatch(/Gjennomgått 01\.11\.2026/);
    expect(await page.locator('section[aria-labelledby=behov] tbody tr').textContent()).toMatch(
      /Paracet.*1 tablett, minst 4 t mellom.*4 tablett.*Smerter/,
    );
    expect(text).toMatch(/10\.11\.2026–23\.11\.2026: 2 tablett \(gjelder nå\)/);
    expect(text).toMatch(/24\.11\.2026–07\.12\.2026: 1 tablett/);
    expect(await page.locator('.outside').textContent()).toBe(
      'Gis utenfor multidoseposen (2): Xalcom øyedråper, Paracet Tab 500 mg',
    );
    expect(text).toMatch(/Simvastatin Tab 20 mg – pauset 18\.11\.2026 kl\. 11:00: Muskelsmerter/);
    expect(await page.locator('section[aria-labelledby=seponert] del').textContent()).toBe('Furix Tab 40 mg');
    expect(text).toMatch(
      /seponert 19\.11\.2026 kl\. 11:00 av lege \(HPR 999999999\)\. Årsak: Bivirkning \(Svimmelhet\)/,
    );
    expect(await page.locator('section[aria-labelledby=endringer] li').allTextContents()).toEqual([
      expect.stringMatching(/^20\.11\.2026 kl\. 10:00, lege \(HPR 999999999\): .*Furix/),
      expect.stringMatching(/^20\.11\.2026 kl\. 10:00, lege \(HPR 999999999\): .*Simvastatin/),
    ]);
    await expectNoAxeViolations();
    await shoot('ward-chart');
  });

  it('shows a change made elsewhere without reloading, marked new until seen', async () => {
    // an hour later (the service's clock): the history step looks back to before this change
    t.clock.set('2026-11-20T10:00:00.000Z');
    const before = Date.now();
    await start(ASTRID, 'omeprazol', {
      medication: { atcCode: 'A02BC01', displayName: 'Omeprazol Kaps 20 mg' },
      dosage: twice,
    });
    const newRow = page.locator('table.grid tr', { hasText: 'Omeprazol' });
    await newRow.locator('.badge-new').waitFor({ timeout: 10_000 });
    // Measured, not asserted (the machine is shared): reported in docs/ward.md.
    process.stderr.write(`ward page: live change visible after ${Date.now() - before} ms\n`);
    expect(await page.locator('.list-meta').textContent()).toContain('Listeversjon 13');
    expect(await page.locator('[role=status][aria-live=polite]').textContent()).toContain('listeversjon 13');
    await expectNoAxeViolations();
    await shoot('ward-chart-live');

    await page.getByRole('button', { name: /Marker endringer som sett/ }).click();
    expect(await newRow.locator('.badge-new').count()).toBe(0);
  });

  it('shows the chart as it was at a chosen moment (asOf)', async () => {
    // local time (Europe/Oslo, UTC+1): 09:30Z, after the admission and before the live change
    await page.getByLabel('Vis listen slik den var').fill('2026-11-20T10:30');
    await page.getByRole('button', { name: 'Vis', exact: true }).click();
    await page.locator('.history-banner').waitFor();
    await page.locator('.list-meta', { hasText: 'Listeversjon 12' }).waitFor();
    const text = (await page.locator('section.chart').textContent()) ?? '';
    expect(text).not.toContain('Omeprazol');
    expect(text).toContain('Metformin');
    await expectNoAxeViolations();
    await shoot('ward-history');
    await page.getByRole('button', { name: 'Tilbake til nå' }).click();
    await page.locator('.list-meta', { hasText: 'Listeversjon 13' }).waitFor();
  });

  it('prints the chart on A4 with date, time and list version', async () => {
    await page.emulateMedia({ media: 'print' });
    const printed = (await page.locator('.print-only').textContent()) ?? '';
    expect(printed).toMatch(/^Utskrevet \d{2}\.\d{2}\.\d{4} kl\. \d{2}:\d{2}\. Listeversjon 13\.$/);
    expect(await page.getByRole('button', { name: 'Skriv ut' }).isVisible()).toBe(false);
    await shoot('ward-print');
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync(path.join(shots, 'ward-print.pdf'), pdf);
    await page.emulateMedia({ media: 'screen' });
  });

  it("tells a prescriber (HPR number only) that a unit's residents are its own staff's, and offers no unit (issue 15)", async () => {
    const doctor = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const doctorPage = await doctor.newPage();
    const doctorForeign = await guardRequests(doctor, doctorPage, t.baseUrl);
    await doctorPage.goto(`${t.baseUrl}/ward`);
    await doctorPage.getByLabel('HPR-nummer').fill('9144889');
    await doctorPage.getByRole('button', { name: 'Logg inn' }).click();
    await doctorPage.getByRole('heading', { name: 'Ingen avdeling' }).waitFor();
    expect(await doctorPage.getByText('Lege, HPR 9144889').count()).toBe(1);
    expect(await doctorPage.locator('table.unit').count()).toBe(0);
    expect(await doctorPage.getByRole('textbox').count()).toBe(0);
    expect(await axeViolations(doctorPage)).toEqual([]);
    await doctorPage.screenshot({ path: path.join(shots, 'ward-prescriber.png'), fullPage: true });
    expect(doctorForeign).toEqual([]);
    await doctor.close();
  });

  it('serves GraphiQL with local assets: it renders on a network without internet', async () => {
    const graphiql = await context.newPage();
    await graphiql.goto(`${t.baseUrl}/graphiql`);
    // GraphiQL's bundle is megabytes of JavaScript: on a loaded 2-core machine (other jobs' tests) Chromium took
    // over 20 s to parse and render it. A wait, not a speed check: the page must render, however slowly.
    await graphiql.locator('.graphiql-container').waitFor({ timeout: 60_000 });
    await graphiql.close();
  }, 90_000);

  it('shows a unit of 40 residents (time measured and reported, not asserted: the machine is shared)', async () => {
    let last = '0';
    for (let index = 0; index < 40; index += 1) {
      last = await gp(M('startCareRelation', 'StartCareRelationInput'), {
        patientId: syntheticPatientIdFor(index),
        relationId: `rel-40-${index}`,
        organisationNumber: NURSING_HOME_ORG,
        unit: 'Avdeling 4',
        from: '2026-09-01',
        residentName: `Beboer ${index + 1}`,
        room: `Rom ${400 + index}`,
      });
    }
    await projected(last);
    const nurse = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const unitPage = await nurse.newPage();
    const nurseForeign = await guardRequests(nurse, unitPage, t.baseUrl);
    await unitPage.goto(`${t.baseUrl}/ward`);
    await unitPage.getByLabel('Organisasjonsnummer').fill(NURSING_HOME_ORG);
    await unitPage.getByLabel('Avdeling').fill('Avdeling 4');
    const before = Date.now();
    await unitPage.getByRole('button', { name: 'Logg inn' }).click();
    await unitPage.locator('table.unit tbody tr').nth(39).waitFor();
    process.stderr.write(`ward page: unit of 40 residents shown ${Date.now() - before} ms after "Logg inn"\n`);
    expect(await unitPage.locator('table.unit tbody tr').count()).toBe(40);
    expect(nurseForeign).toEqual([]);
    await nurse.close();
  });

  it('made no request to any host but the service (and the guard does catch one)', async () => {
    expect(foreign).toEqual([]);
    // The page's CSP already stops foreign loads before they start; prove the guard itself records one.
    const probe = await context.newPage();
    await probe.goto('http://192.0.2.1/probe').catch(() => undefined);
    expect(foreign).toEqual(['http://192.0.2.1/probe']);
    await probe.close();
  });
});
