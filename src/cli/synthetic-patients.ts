import { mulberry32 } from '../shared/seeded-random';
import { defined } from '../shared/defined';
import { createHash } from 'node:crypto';
import { generateOrganisationNumber, generatePersonNumber } from '../identifiers/norwegian-identifiers';
import type {
  CommandOf,
  MedicationListCommand,
  MedicationListCommandType,
} from '../medication-list/domain/medication-list.commands';
import type {
  DiscontinuationReasonCode,
  Dosage,
  FixedDose,
  IsoDate,
  Medication,
  PrescriptionType,
  Quantity,
  ReviewKind,
  UseCode,
} from '../medication-list/domain/medication-list.events';
import type { CommandMeta } from '../shared/event-sourcing/decider';
import type { Actor } from '../shared/event-sourcing/event-store.port';

/**
 * Realistic synthetic patients for `npm run seed`: nursing-home residents and home-care patients with a
 * medication list, as command sequences the real decider accepts. Deterministic: one seed gives the same
 * patients, ids and command ids (so seeding twice appends nothing), and every time is counted back from the day
 * of `now`, so a re-run on a later day yields the same commands shifted by whole days. No Math.random, no clock.
 * Patient ids are synthetic test numbers (month + 80, Skatteetaten Test Norge), never a real person's.
 */

// ---- deterministic randomness and ids (mulberry32: src/shared/seeded-random.ts) ----------------------------------------------------------------------

interface Random {
  /** integer in [min, max] */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
}

const randomOf = (next: () => number): Random => ({
  int: (min, max) => min + Math.floor(next() * (max - min + 1)),
  chance: (probability) => next() < probability,
  pick: (items) => defined(items[Math.floor(next() * items.length)], 'an item to pick (the list is empty)'),
});

const sha1 = (text: string): Buffer => createHash('sha1').update(text).digest();

/** A UUID (v5 layout) named by its parts: the same parts always give the same id. */
const uuidOf = (...parts: readonly (string | number)[]): string => {
  const hash = sha1(`synthetic-patients\n${parts.join('\n')}`);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** A FEST-style product id (`ID_` + upper-case UUID), fixed per display name across seeds and runs. */
export const festIdOf = (displayName: string): string => `ID_${uuidOf('fest', displayName).toUpperCase()}`;

// ---- time ----------------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const DAY = 86_400_000;
const isoDateTime = (ms: number): string => new Date(ms).toISOString();
const isoDate = (ms: number): IsoDate => isoDateTime(ms).slice(0, 10);
const addDays = (date: IsoDate, days: number): IsoDate => isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY);
const startOfUtcDay = (ms: number): number => Math.floor(ms / DAY) * DAY;
/** A minute between 07:00 and 15:00 UTC (08–17 Norwegian time) on the day of `ms`: office hours. */
const officeHours = (random: Random, ms: number): number => startOfUtcDay(ms) + random.int(7 * 60, 15 * 60) * MINUTE;

// ---- actors and care providers -------------------------------------------------------------------------------

interface Doctor {
  readonly hprNumber: string;
  readonly name: string;
}
interface Pharmacy {
  readonly herId: string;
  readonly name: string;
}

// Synthetic HPR numbers and HER-ids (digits, no check digit, domain.md) with made-up names.
const DOCTORS: readonly Doctor[] = [
  { hprNumber: '9144889', name: 'Lege Ingrid Haugen' },
  { hprNumber: '4127305', name: 'Lege Lars Berg' },
  { hprNumber: '7031562', name: 'Lege Mette Solberg' },
  { hprNumber: '5518240', name: 'Lege Ola Strand' },
  { hprNumber: '8862017', name: 'Lege Sigrid Dahl' },
  { hprNumber: '6204938', name: 'Lege Thomas Lie' },
  { hprNumber: '3390716', name: 'Lege Nora Bakken' },
  { hprNumber: '1745583', name: 'Lege Jonas Moen' },
];
const PHARMACIES: readonly Pharmacy[] = [
  { herId: '81235', name: 'Apotek 1 Torget' },
  { herId: '84410', name: 'Vitusapotek Sentrum' },
  { herId: '90217', name: 'Boots apotek Storgata' },
  { herId: '96342', name: 'Ditt Apotek Bryn' },
];
const MULTIDOSE_PHARMACIES: readonly Pharmacy[] = [
  { herId: '112233', name: 'Apotek 1 Multidose' },
  { herId: '145098', name: 'Vitus Multidose' },
];
const NURSES = ['Anne Lie', 'Kristin Våge', 'Per Olsen', 'Hanne Eide', 'Fatima Ali', 'Marius Nilsen'];
const RESIDENT_GIVEN = [
  'Astrid',
  'Olav',
  'Ingrid',
  'Knut',
  'Solveig',
  'Arne',
  'Gunvor',
  'Magnus',
  'Ragnhild',
  'Leif',
  'Bjørg',
  'Sverre',
];
const RESIDENT_FAMILY = [
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Berg',
  'Haugen',
  'Dahl',
  'Lunde',
  'Strand',
  'Ødegård',
  'Moen',
  'Bakke',
];

/**
 * The name and room the nursing home registers with the admission (issue 20; synthetic, like the patient ids).
 * From their own random stream, so adding them left every other generated value of a seed as it was.
 */
const residentOf = (seed: number, index: number): { readonly residentName: string; readonly room: string } => {
  const random = randomOf(mulberry32(sha1(`${seed}:${index}:resident`).readUInt32BE(0)));
  return {
    residentName: `${random.pick(RESIDENT_GIVEN)} ${random.pick(RESIDENT_FAMILY)}`,
    room: `Rom ${random.int(101, 340)}`,
  };
};

/** An organisation with a care relation to its patients: a nursing home (with units) or home care (none). */
export interface CareProvider {
  readonly organisationNumber: string;
  readonly name: string;
  readonly units: readonly string[];
  readonly kind: 'nursing-home' | 'home-care';
}

const NURSING_HOMES: readonly { name: string; units: readonly string[] }[] = [
  { name: 'Solbakken sykehjem', units: ['Avdeling 1', 'Avdeling 2', 'Skjermet enhet', 'Korttidsavdeling'] },
  { name: 'Fjellheimen bo- og behandlingssenter', units: ['Avdeling 1', 'Avdeling 2', 'Rehabilitering'] },
  { name: 'Lindelia omsorgssenter', units: ['Skjermet enhet', 'Langtidsavdeling'] },
  { name: 'Havblikk sykehjem', units: ['Avdeling 1', 'Avdeling 2', 'Avdeling 3'] },
  { name: 'Bergly helsehus', units: ['Korttidsavdeling', 'Lindrende enhet'] },
  { name: 'Eikelund sykehjem', units: ['Avdeling A', 'Avdeling B', 'Skjermet enhet'] },
];
export const MAX_NURSING_HOMES = NURSING_HOMES.length;

/** The first valid organisation number from a serial on (a check digit of 10 has no number). */
const organisationNumberFrom = (serial: number): string => {
  for (let s = serial; ; s += 1) {
    const number = generateOrganisationNumber(s);
    if (number !== undefined) {
      return number;
    }
  }
};

/** `count` nursing homes and one home-care service; the same organisation numbers for every seed. */
export const syntheticCareProviders = (count: number): CareProvider[] => {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NURSING_HOMES) {
    throw new RangeError(`nursingHomes must be 1 to ${MAX_NURSING_HOMES}`);
  }
  return [
    ...NURSING_HOMES.slice(0, count).map((home, i): CareProvider => ({
      ...home,
      organisationNumber: organisationNumberFrom(97_481_200 + i * 1_000),
      kind: 'nursing-home',
    })),
    {
      name: 'Hjemmetjenesten Nordbyen',
      units: [],
      organisationNumber: organisationNumberFrom(97_490_000),
      kind: 'home-care',
    },
  ];
};

/**
 * The seed's pharmacies (local and multidose) with made-up organisation numbers, for the dev organisation register:
 * a pharmacy's dispensings are attributed to the HER-id the register gives its organisation (issue 15).
 */
export const syntheticPharmacies = (): (Pharmacy & { readonly organisationNumber: string })[] =>
  [...PHARMACIES, ...MULTIDOSE_PHARMACIES].map((pharmacy, i) => ({
    ...pharmacy,
    organisationNumber: organisationNumberFrom(98_100_000 + i * 1_000),
  }));

// ---- the drug catalogue --------------------------------------------------------------------------------------

interface Drug {
  readonly displayName: string;
  /** level-5 ATC; absent for a local drug, or when FEST has only a level-4 code (Calcigran Forte: A12AX) */
  readonly atcCode?: string;
  /** local, non-catalogue drug: no FEST id */
  readonly local?: boolean;
  readonly use: UseCode;
  readonly dosage: (start: IsoDate) => Dosage;
  /** a plausible other dosage for a ChangeDosage */
  readonly changedDosage?: (from: IsoDate) => Dosage;
  readonly indications: readonly string[];
  /** a generic (or the original) with the same ATC code, for generic substitution at the pharmacy */
  readonly substitute?: string;
  readonly pack: Quantity;
  /** over the counter: usually on the list without a prescription (U) */
  readonly otc?: boolean;
  /** machine-packable in multidose bags (not liquids, powders, injections, inhalers, INR-dosed warfarin) */
  readonly packable: boolean;
  /** at most one drug of a group per patient (no two anticoagulants, no two as-needed opioids) */
  readonly group?: string;
  /** a course (Kur) that ends: `days` long, then discontinued as finished */
  readonly courseDays?: number;
  /** often paused before a procedure (anticoagulants, antiplatelets) */
  readonly pausable?: boolean;
  /** relative frequency among nursing-home residents */
  readonly weight: number;
}

type When = '1' | '2' | '3' | '4' | '5' | '6' | `${number}:${number}`;

const doseAt = (quantity: number, unit: string, when: When): FixedDose =>
  when.includes(':') ? { quantity, unit, time: when } : { quantity, unit, partOfDay: when as FixedDose['partOfDay'] };

/** Fixed doses from `start`, open-ended: `fixed('tablett', [[1, '1'], [1, '5']], '1+0+0+1')(start)`. */
const fixed =
  (unit: string, doses: readonly (readonly [number, When])[], shortCode?: string, instruction?: string) =>
  (start: IsoDate): Dosage => ({
    periods: [{ start, fixedDoses: doses.map(([quantity, when]) => doseAt(quantity, unit, when)) }],
    ...(shortCode !== undefined ? { shortCode } : {}),
    ...(instruction !== undefined ? { instruction } : {}),
  });

/** An as-needed dose with its 24-hour maximum and minimum interval. */
const asNeeded =
  (unit: string, quantity: number, maxPer24h: number, minIntervalHours: number, instruction?: string) =>
  (start: IsoDate): Dosage => ({
    periods: [{ start, fixedDoses: [], asNeeded: { quantity, unit, maxPer24h, minIntervalHours } }],
    ...(instruction !== undefined ? { instruction } : {}),
  });

/** Prednisolon taper: 40 mg for 5 days, then 30, 20, 10, 5 mg, five days each (consecutive periods). */
const prednisolonTaper = (start: IsoDate): Dosage => ({
  periods: [8, 6, 4, 2, 1].map((tablets, i) => ({
    start: addDays(start, i * 5),
    end: addDays(start, i * 5 + 4),
    fixedDoses: [doseAt(tablets, 'tablett', '08:00')],
  })),
  instruction: 'Nedtrapping: 40 mg i 5 dager, deretter 30, 20, 10 og 5 mg i 5 dager hver. Tas om morgenen med mat.',
});

const TAB = 'tablett';

/** Free text only (DosVeiledEnkel), e.g. warfarin dosed by INR. */
const instructionOnly =
  (instruction: string) =>
  (start: IsoDate): Dosage => ({ periods: [{ start, fixedDoses: [] }], instruction });

/** An antibiotic course: 1 tablet at 08, 14 and 20 for five days. */
const fiveDayCourse = (start: IsoDate): Dosage => ({
  periods: [
    {
      start,
      end: addDays(start, 4),
      fixedDoses: (['08:00', '14:00', '20:00'] as const).map((time) => doseAt(1, TAB, time)),
    },
  ],
  shortCode: '1+1+1',
});

/** A weekly tablet (bisphosphonate): Mondays at 07:00. */
const weeklyOnMonday = (start: IsoDate): Dosage => ({
  periods: [{ start, fixedDoses: [doseAt(1, TAB, '07:00')], weekdays: ['mon'] }],
  instruction: 'Én gang i uken, fastende med et stort glass vann. Sitt oppreist i 30 minutter etterpå.',
});

/** ~30 drugs commonly used by elderly patients in Norway, with real ATC codes. */
export const DRUG_CATALOGUE: readonly Drug[] = [
  {
    displayName: 'Paracet Tab 500 mg',
    atcCode: 'N02BE01',
    use: '1',
    dosage: fixed(
      TAB,
      [
        [2, '1'],
        [2, '3'],
        [2, '5'],
      ],
      '2+2+2',
    ),
    changedDosage: fixed(
      TAB,
      [
        [1, '1'],
        [1, '3'],
        [1, '5'],
      ],
      '1+1+1',
    ),
    indications: ['Smerter', 'Artrosesmerter'],
    substitute: 'Pinex Tab 500 mg',
    pack: { value: 100, unit: TAB },
    otc: true,
    packable: true,
    group: 'paracetamol',
    weight: 6,
  },
  {
    displayName: 'Paracet Tab 500 mg',
    atcCode: 'N02BE01',
    use: '3',
    dosage: asNeeded(TAB, 2, 8, 4, 'Maks 4 g paracetamol per døgn'),
    indications: ['Smerter', 'Feber'],
    substitute: 'Pinex Tab 500 mg',
    pack: { value: 100, unit: TAB },
    otc: true,
    packable: false,
    group: 'paracetamol',
    weight: 4,
  },
  {
    displayName: 'Albyl-E Enterotab 75 mg',
    atcCode: 'B01AC06',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    indications: ['Forebygging av hjerteinfarkt og hjerneslag'],
    pack: { value: 100, unit: TAB },
    packable: true,
    pausable: true,
    weight: 4,
  },
  {
    displayName: 'Selo-Zok Depottab 50 mg',
    atcCode: 'C07AB02',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    changedDosage: fixed(
      TAB,
      [
        [1, '1'],
        [1, '5'],
      ],
      '1+0+1',
    ),
    indications: ['Høyt blodtrykk', 'Atrieflimmer, frekvenskontroll', 'Hjertesvikt'],
    substitute: 'Metoprolol Sandoz Depottab 50 mg',
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 5,
  },
  {
    displayName: 'Atorvastatin Krka Tab 20 mg',
    atcCode: 'C10AA05',
    use: '1',
    dosage: fixed(TAB, [[1, '5']], '0+0+1'),
    changedDosage: fixed(TAB, [[2, '5']], '0+0+2'),
    indications: ['Høyt kolesterol', 'Forebygging av hjerte- og karsykdom'],
    substitute: 'Lipitor Tab 20 mg',
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 5,
  },
  {
    displayName: 'Furix Tab 40 mg',
    atcCode: 'C03CA01',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    changedDosage: fixed(
      TAB,
      [
        [1, '1'],
        [1, '3'],
      ],
      '1+1+0',
    ),
    indications: ['Hjertesvikt', 'Ødemer'],
    substitute: 'Diural Tab 40 mg',
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 4,
  },
  {
    displayName: 'Levaxin Tab 50 µg',
    atcCode: 'H03AA01',
    use: '1',
    dosage: fixed(TAB, [[1, '07:00']], undefined, 'Tas fastende, en halv time før frokost'),
    changedDosage: fixed(TAB, [[1.5, '07:00']], undefined, 'Tas fastende, en halv time før frokost'),
    indications: ['Lavt stoffskifte (hypotyreose)'],
    substitute: 'Euthyrox Tab 50 µg',
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Paralgin forte Tab 400 mg/30 mg',
    atcCode: 'N02AJ06',
    use: '3',
    dosage: asNeeded(TAB, 1, 6, 6),
    indications: ['Sterke smerter'],
    pack: { value: 20, unit: TAB },
    packable: false,
    group: 'opioid-prn',
    weight: 2,
  },
  {
    displayName: 'Zopiklon Mylan Tab 5 mg',
    atcCode: 'N05CF01',
    use: '1',
    dosage: fixed(TAB, [[1, '6']], '0+0+0+1'),
    changedDosage: fixed(TAB, [[0.5, '6']], '0+0+0+½', 'Halvert dose på grunn av fallrisiko'),
    indications: ['Søvnvansker'],
    substitute: 'Imovane Tab 5 mg',
    pack: { value: 30, unit: TAB },
    packable: true,
    group: 'hypnotic',
    weight: 3,
  },
  {
    displayName: 'Sertralin Hexal Tab 50 mg',
    atcCode: 'N06AB06',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    changedDosage: fixed(TAB, [[2, '1']], '2+0+0'),
    indications: ['Depresjon', 'Angst'],
    substitute: 'Zoloft Tab 50 mg',
    pack: { value: 98, unit: TAB },
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Metformin Mylan Tab 500 mg',
    atcCode: 'A10BA02',
    use: '1',
    dosage: fixed(
      TAB,
      [
        [1, '1'],
        [1, '5'],
      ],
      '1+0+1',
    ),
    changedDosage: fixed(
      TAB,
      [
        [2, '1'],
        [2, '5'],
      ],
      '2+0+2',
    ),
    indications: ['Diabetes type 2'],
    substitute: 'Glucophage Tab 500 mg',
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Pantoprazol Actavis Enterotab 20 mg',
    atcCode: 'A02BC02',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    indications: ['Refluksøsofagitt', 'Magesårprofylakse'],
    substitute: 'Somac Enterotab 20 mg',
    pack: { value: 98, unit: TAB },
    packable: true,
    weight: 4,
  },
  {
    displayName: 'Eliquis Tab 5 mg',
    atcCode: 'B01AF02',
    use: '1',
    dosage: fixed(
      TAB,
      [
        [1, '08:00'],
        [1, '20:00'],
      ],
      '1+0+1',
    ),
    changedDosage: fixed(
      TAB,
      [
        [0.5, '08:00'],
        [0.5, '20:00'],
      ],
      undefined,
      'Redusert til 2,5 mg x 2 (alder, nyrer)',
    ),
    indications: ['Atrieflimmer, forebygging av hjerneslag'],
    pack: { value: 168, unit: TAB },
    packable: true,
    group: 'anticoagulant',
    pausable: true,
    weight: 4,
  },
  {
    displayName: 'Marevan Tab 2,5 mg',
    atcCode: 'B01AA03',
    use: '1',
    dosage: instructionOnly('Dosering etter INR-skjema, vanligvis 1–1,5 tablett om kvelden'),
    indications: ['Mekanisk hjerteklaff', 'Atrieflimmer, forebygging av hjerneslag'],
    pack: { value: 100, unit: TAB },
    packable: false,
    group: 'anticoagulant',
    pausable: true,
    weight: 1,
  },
  {
    displayName: 'Ramipril Actavis Kaps 5 mg',
    atcCode: 'C09AA05',
    use: '1',
    dosage: fixed('kapsel', [[1, '1']], '1+0+0'),
    changedDosage: fixed('kapsel', [[2, '1']], '2+0+0'),
    indications: ['Høyt blodtrykk', 'Hjertesvikt'],
    pack: { value: 100, unit: 'kapsel' },
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Amlodipin Actavis Tab 5 mg',
    atcCode: 'C08CA01',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    changedDosage: fixed(TAB, [[2, '1']], '2+0+0'),
    indications: ['Høyt blodtrykk'],
    substitute: 'Norvasc Tab 5 mg',
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Donepezil Krka Tab 10 mg',
    atcCode: 'N06DA02',
    use: '1',
    dosage: fixed(TAB, [[1, '5']], '0+0+1'),
    indications: ['Demens ved Alzheimers sykdom'],
    substitute: 'Aricept Tab 10 mg',
    pack: { value: 98, unit: TAB },
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Laktulose Fresenius Mikst 670 mg/ml',
    atcCode: 'A06AD11',
    use: '1',
    dosage: fixed('ml', [[15, '1']], undefined, '15 ml om morgenen'),
    changedDosage: fixed(
      'ml',
      [
        [15, '1'],
        [15, '5'],
      ],
      undefined,
      '15 ml morgen og kveld',
    ),
    indications: ['Forstoppelse'],
    pack: { value: 500, unit: 'ml' },
    otc: true,
    packable: false,
    group: 'osmotic-laxative',
    weight: 3,
  },
  {
    displayName: 'Movicol Pulv til mikst',
    atcCode: 'A06AD65',
    use: '1',
    dosage: fixed('dosepose', [[1, '1']], '1+0+0', 'Løses i et glass vann'),
    indications: ['Forstoppelse'],
    pack: { value: 30, unit: 'dosepose' },
    otc: true,
    packable: false,
    group: 'osmotic-laxative',
    weight: 3,
  },
  {
    displayName: 'D-vitamin (kolekalsiferol) Tab 20 µg',
    atcCode: 'A11CC05',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    indications: ['D-vitaminmangel', 'Forebygging av beinskjørhet'],
    pack: { value: 100, unit: TAB },
    otc: true,
    packable: true,
    weight: 3,
  },
  {
    displayName: 'Calcigran Forte Tyggetab 1000 mg/800 IE',
    use: '1',
    dosage: fixed(TAB, [[1, '1']], '1+0+0'),
    indications: ['Forebygging av beinskjørhet'],
    pack: { value: 90, unit: TAB },
    otc: true,
    packable: true,
    weight: 2,
  },
  {
    displayName: 'OxyNorm Kaps 5 mg',
    atcCode: 'N02AA05',
    use: '3',
    dosage: asNeeded('kapsel', 1, 4, 4, 'Ved gjennombruddssmerter'),
    indications: ['Gjennombruddssmerter'],
    pack: { value: 28, unit: 'kapsel' },
    packable: false,
    group: 'opioid-prn',
    weight: 2,
  },
  {
    displayName: 'Sobril Tab 10 mg',
    atcCode: 'N05BA04',
    use: '3',
    dosage: asNeeded(TAB, 1, 2, 8),
    indications: ['Uro og angst'],
    pack: { value: 25, unit: TAB },
    packable: false,
    weight: 2,
  },
  {
    displayName: 'Prednisolon Actavis Tab 5 mg',
    atcCode: 'H02AB06',
    use: '2',
    dosage: prednisolonTaper,
    indications: ['Forverring av KOLS', 'Polymyalgia rheumatica'],
    pack: { value: 100, unit: TAB },
    packable: true,
    courseDays: 25,
    weight: 1,
  },
  {
    displayName: 'Selexid Tab 200 mg',
    atcCode: 'J01CA08',
    use: '2',
    dosage: fiveDayCourse,
    indications: ['Urinveisinfeksjon'],
    pack: { value: 15, unit: TAB },
    packable: false,
    courseDays: 5,
    weight: 1,
  },
  {
    displayName: 'Lantus Inj 100 E/ml SoloStar',
    atcCode: 'A10AE04',
    use: '1',
    dosage: fixed('E', [[12, '5']], undefined, 'Settes subkutant om kvelden'),
    changedDosage: fixed('E', [[14, '5']], undefined, 'Settes subkutant om kvelden'),
    indications: ['Diabetes type 2'],
    pack: { value: 5, unit: 'ferdigfylt penn' },
    packable: false,
    weight: 1,
  },
  {
    displayName: 'Spiriva Respimat Inh.væske 2,5 µg/dose',
    atcCode: 'R03BB04',
    use: '1',
    dosage: fixed('inhalasjon', [[2, '1']], '2+0+0'),
    indications: ['KOLS'],
    pack: { value: 1, unit: 'inhalator' },
    packable: false,
    weight: 2,
  },
  {
    displayName: 'Alendronat Sandoz Tab 70 mg',
    atcCode: 'M05BA04',
    use: '1',
    dosage: weeklyOnMonday,
    indications: ['Beinskjørhet (osteoporose)'],
    substitute: 'Fosamax Tab 70 mg',
    pack: { value: 12, unit: TAB },
    packable: true,
    weight: 2,
  },
  {
    displayName: 'Mirtazapin Orifarm Tab 15 mg',
    atcCode: 'N06AX11',
    use: '1',
    dosage: fixed(TAB, [[1, '6']], '0+0+0+1'),
    changedDosage: fixed(TAB, [[2, '6']], '0+0+0+2'),
    indications: ['Depresjon', 'Søvnvansker ved depresjon'],
    substitute: 'Remeron Tab 15 mg',
    pack: { value: 100, unit: TAB },
    packable: true,
    group: 'hypnotic',
    weight: 2,
  },
  {
    displayName: 'Kaliumklorid Orifarm Depottab 750 mg',
    atcCode: 'A12BA01',
    use: '1',
    dosage: fixed(
      TAB,
      [
        [1, '1'],
        [1, '5'],
      ],
      '1+0+1',
    ),
    indications: ['Kaliummangel ved vanndrivende behandling'],
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 1,
  },
  {
    displayName: 'Tamsulosin Sandoz Depotkaps 0,4 mg',
    atcCode: 'G04CA02',
    use: '1',
    dosage: fixed('kapsel', [[1, '1']], '1+0+0'),
    indications: ['Forstørret prostata'],
    substitute: 'Omnic Depotkaps 0,4 mg',
    pack: { value: 100, unit: 'kapsel' },
    packable: true,
    weight: 1,
  },
  {
    displayName: 'Trimetoprim Tab 100 mg',
    atcCode: 'J01EA01',
    use: '1',
    dosage: fixed(TAB, [[1, '6']], '0+0+0+1'),
    indications: ['Forebygging av urinveisinfeksjon'],
    pack: { value: 100, unit: TAB },
    packable: true,
    weight: 1,
  },
  {
    displayName: 'Sinkpasta 10 % (magistrell)',
    local: true,
    use: '1',
    dosage: instructionOnly('Smøres tynt på rødt område i setet morgen og kveld'),
    indications: ['Hudirritasjon'],
    pack: { value: 100, unit: 'g' },
    otc: true,
    packable: false,
    weight: 1,
  },
];

const medicationOf = (drug: Drug, displayName = drug.displayName): Medication => ({
  ...(drug.local === true ? {} : { festId: festIdOf(displayName) }),
  ...(drug.atcCode !== undefined ? { atcCode: drug.atcCode } : {}),
  displayName,
});

const DISCONTINUATION_NOTES: Readonly<Record<DiscontinuationReasonCode, readonly string[]>> = {
  A: ['Behandlingen er avsluttet', 'Ikke lenger indikasjon'],
  M: ['Manglende effekt etter tre måneder'],
  L: ['Svimmelhet og fall', 'Kvalme og dårlig matlyst', 'Forvirring, mistenkt bivirkning'],
  I: ['Interaksjon med nytt legemiddel'],
  S: ['Pasienten ønsker ikke å ta legemiddelet'],
  X: ['Seponert etter legemiddelgjennomgang'],
};
/** Weighted: adverse reactions and finished treatments are the commonest reasons in nursing homes. */
const DISCONTINUATION_REASONS: readonly DiscontinuationReasonCode[] = ['A', 'A', 'M', 'L', 'L', 'L', 'I', 'S', 'X'];
const DOSAGE_CHANGE_REASONS = [
  'Etter legemiddelgjennomgang',
  'Justert etter blodprøver',
  'Bedre symptomkontroll',
  'Redusert på grunn av bivirkninger',
];

// ---- generation ----------------------------------------------------------------------------------------------

export interface SyntheticPatientsOptions {
  readonly patients: number;
  readonly seed: number;
  /** how many nursing homes (1 to MAX_NURSING_HOMES); a home-care service comes on top. Default 4 */
  readonly nursingHomes?: number;
  /** the base time: history runs over the ~2 years before the day of `now`, never on or after that day */
  readonly now: Date;
}

export interface SyntheticPatient {
  /** position in the generated sequence (0-based) */
  readonly index: number;
  /** a synthetic test number (month + 80): valid, and never a real person's */
  readonly patientId: string;
  readonly careProvider: CareProvider;
  readonly unit?: string;
  readonly multidose: boolean;
  /** chronological; each with a deterministic command id */
  readonly commands: readonly MedicationListCommand[];
}

interface Planned {
  readonly at: number;
  readonly seq: number;
  readonly command: MedicationListCommand;
}

/** One patient's commands under construction, each placed at an instant and sorted at the end. */
class Timeline {
  private readonly planned: Planned[] = [];

  constructor(
    private readonly namespace: string,
    private readonly horizon: number,
  ) {}

  /** `key` names the command within the patient (its id derives from it); related commands share a correlation. */
  add<TType extends MedicationListCommandType>(
    at: number,
    type: TType,
    data: CommandOf<TType>['data'],
    actor: Actor,
    key: string,
    correlationKey: string = key,
  ): void {
    const commandId = uuidOf(this.namespace, 'command', key);
    const meta: CommandMeta = {
      commandId,
      correlationId: uuidOf(this.namespace, 'correlation', correlationKey),
      causationId: commandId,
      actor,
      recordedAt: isoDateTime(at + 1000),
    };
    this.planned.push({ at, seq: this.planned.length, command: { type, data, meta } as CommandOf<TType> });
  }

  /** Chronological, and nothing on or after the horizon (a command only ever depends on earlier ones). */
  commands(): MedicationListCommand[] {
    return this.planned
      .filter((item) => item.at < this.horizon)
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .map((item) => item.command);
  }
}

/** A synthetic number for someone born 1925–1960 (individual number 000–499: born 1900–1999). */
const syntheticPatientId = (random: Random, taken: Set<string>): string => {
  for (;;) {
    // Skewed towards the older years: most nursing-home residents are over 80.
    const year = 1925 + Math.floor((35 * random.int(0, 999) ** 2) / 1_000_000);
    const month = random.int(1, 12);
    const day = random.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
    const id = generatePersonNumber({ day, month, year }, random.int(0, 499), { monthOffset: 80 });
    if (id !== undefined && !taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
};

/** Picks `count` distinct drugs by weight, at most one per group. */
const pickDrugs = (random: Random, count: number): Drug[] => {
  const chosen: Drug[] = [];
  while (chosen.length < count) {
    const available = DRUG_CATALOGUE.filter(
      (drug) => !chosen.includes(drug) && (drug.group === undefined || !chosen.some((c) => c.group === drug.group)),
    );
    const total = available.reduce((sum, drug) => sum + drug.weight, 0);
    let ticket = random.int(0, total - 1);
    chosen.push(
      defined(available.find((candidate) => (ticket -= candidate.weight) < 0) ?? available[0], 'a drug left to choose'),
    );
  }
  return chosen;
};

/** Regular use that cannot go in the multidose bags (liquids, powders, insulin, INR-dosed warfarin …). */
const isOutsideBags = (drug: Drug): boolean => drug.use === '1' && !drug.packable && drug.courseDays === undefined;

/**
 * Generates `patients` synthetic patients, lazily. Patient `i` depends only on the seed and `i` (and, for a
 * rare id collision, on the patients before it), so `patients: 5` yields the first five of `patients: 500`.
 */
export function* generateSyntheticPatients(options: SyntheticPatientsOptions): Generator<SyntheticPatient> {
  const { patients, seed, now } = options;
  if (!Number.isInteger(patients) || patients < 0) {
    throw new RangeError('patients must be a whole number of at least 0');
  }
  const providers = syntheticCareProviders(options.nursingHomes ?? 4);
  const homes = providers.filter((provider) => provider.kind === 'nursing-home');
  const homeCare = providers.filter((provider) => provider.kind === 'home-care');
  // Whole days before the day of `now`: a re-run on a later day gives the same commands, shifted by whole days.
  const anchor = startOfUtcDay(now.getTime());
  const taken = new Set<string>();
  for (let index = 0; index < patients; index += 1) {
    const random = randomOf(mulberry32(sha1(`${seed}:${index}`).readUInt32BE(0)));
    const patientId = syntheticPatientId(random, taken);
    const careProvider = random.chance(0.1) ? random.pick(homeCare) : random.pick(homes);
    const unit = careProvider.units.length > 0 ? random.pick(careProvider.units) : undefined;
    const multidose = random.chance(0.25);
    const timeline = new Timeline(`${seed}:${index}`, anchor);
    const id = (...parts: readonly (string | number)[]): string => uuidOf(seed, index, ...parts);
    const resident = careProvider.kind === 'nursing-home' ? residentOf(seed, index) : undefined;
    planPatient({ random, timeline, anchor, id }, { patientId, careProvider, unit, multidose, resident });
    const commands = timeline.commands();
    yield { index, patientId, careProvider, ...(unit !== undefined ? { unit } : {}), multidose, commands };
  }
}

interface Plan {
  readonly random: Random;
  readonly timeline: Timeline;
  /** start of the day of `now`: every command is before it */
  readonly anchor: number;
  /** a deterministic business id (entry, prescription …) for this patient */
  readonly id: (...parts: readonly (string | number)[]) => string;
}

interface Patient {
  readonly patientId: string;
  readonly careProvider: CareProvider;
  readonly unit?: string;
  readonly multidose: boolean;
  /** nursing-home residents only: home care registers no room */
  readonly resident?: { readonly residentName: string; readonly room: string };
}

interface EntryPlan {
  readonly index: number;
  readonly entryId: string;
  readonly drug: Drug;
  readonly startAt: number;
  /** when it is discontinued, or Infinity */
  readonly endAt: number;
  readonly prescriptionType: PrescriptionType;
}

interface Actors {
  readonly prescriber: Actor;
  /** dispenses: the multidose pharmacy for a multidose patient */
  readonly pharmacy: Pharmacy;
  readonly multidose: boolean;
}

const pharmacyActor = (pharmacy: Pharmacy): Actor => ({ role: 'pharmacy', herId: pharmacy.herId, name: pharmacy.name });

/** Whole days from `from` to `to`, at least `min`: the upper bound of a random offset. */
const daysBetween = (from: number, to: number, min = 0): number => Math.max(min, Math.floor((to - from) / DAY));

const planPatient = (plan: Plan, patient: Patient): void => {
  const { random, timeline, anchor, id } = plan;
  const { careProvider, unit, multidose, resident } = patient;
  const doctor = random.pick(DOCTORS);
  const prescriber: Actor = { role: 'prescriber', hprNumber: doctor.hprNumber, name: doctor.name };
  const nurse: Actor = {
    role: 'nurse',
    organisationNumber: careProvider.organisationNumber,
    name: `Sykepleier ${random.pick(NURSES)}, ${careProvider.name}`,
  };
  const localPharmacy = random.pick(PHARMACIES);
  const multidosePharmacy = random.pick(MULTIDOSE_PHARMACIES);

  // History: the first list entries up to two years back; admission within the first month of it.
  const historyStart = anchor - random.int(60, 730) * DAY;
  const admission = officeHours(random, historyStart + random.int(0, 30) * DAY);
  const relation = {
    relationId: id('relation'),
    patientId: patient.patientId,
    organisationNumber: careProvider.organisationNumber,
    ...(unit !== undefined ? { unit } : {}),
    from: isoDate(admission),
    ...resident,
  };
  timeline.add(admission, 'StartCareRelation', relation, nurse, 'relation');

  const registeredAt = admission + random.int(2, 6) * DAY;
  if (multidose) {
    const registration = {
      responsibleDoctorHpr: doctor.hprNumber,
      pharmacyHerId: multidosePharmacy.herId,
      from: isoDate(registeredAt),
    };
    timeline.add(registeredAt, 'RegisterMultidose', registration, prescriber, 'multidose');
  }

  // 3–12 entries; a multidose patient always has something outside the bags, on the list from the start.
  const drugs = pickDrugs(random, random.int(3, 12));
  if (multidose && !drugs.some(isOutsideBags)) {
    const outside = DRUG_CATALOGUE.filter(
      (drug) => isOutsideBags(drug) && !drugs.some((d) => d.group !== undefined && d.group === drug.group),
    );
    drugs[Math.min(drugs.length, 11)] = random.pick(outside);
  }
  const entries = drugs.map((drug, index): EntryPlan => {
    const initial = drug.courseDays === undefined && ((multidose && isOutsideBags(drug)) || random.chance(0.7));
    const startAt = initial
      ? officeHours(random, historyStart + random.int(0, daysBetween(historyStart, admission) + 7) * DAY)
      : officeHours(random, admission + random.int(1, daysBetween(admission, anchor, 3) - 2) * DAY);
    // Over-the-counter drugs are mostly listed without a prescription; the rest are e-prescribed, a few on paper.
    const eOrPaper = (random.chance(0.92) ? 'E' : 'P') as PrescriptionType;
    const prescriptionType: PrescriptionType =
      drug.local === true ? 'U' : drug.otc === true ? (random.chance(0.3) ? 'E' : 'U') : eOrPaper;
    // A course is discontinued as finished the day after its last dose.
    const endAt =
      drug.courseDays !== undefined ? officeHours(random, startAt + drug.courseDays * DAY) : Number.POSITIVE_INFINITY;
    return { index, entryId: id('entry', index), drug, startAt, endAt, prescriptionType };
  });
  // About 15% of patients have a long-running entry stopped (never the drug outside the multidose bags).
  const discontinueOne = random.chance(0.15);
  const stoppable = entries.filter(
    (entry) => entry.drug.courseDays === undefined && !isOutsideBags(entry.drug) && anchor - entry.startAt > 20 * DAY,
  );
  if (discontinueOne && stoppable.length > 0) {
    const target = random.pick(stoppable);
    const endAt = officeHours(random, target.startAt + random.int(14, daysBetween(target.startAt, anchor) - 1) * DAY);
    entries[target.index] = { ...target, endAt };
  }

  const actors: Actors = { prescriber, pharmacy: multidose ? multidosePharmacy : localPharmacy, multidose };
  entries.forEach((entry) => {
    planEntry(plan, entry, actors);
  });
  if (multidose) {
    planPackings(plan, entries, registeredAt, multidosePharmacy);
    planMultidoseMessage(plan, registeredAt, multidosePharmacy, prescriber);
  }
  planReviews(plan, careProvider, admission, prescriber);
};

const planEntry = (plan: Plan, entry: EntryPlan, actors: Actors): void => {
  const { random, timeline, anchor } = plan;
  const { prescriber } = actors;
  const { entryId, drug, startAt, endAt } = entry;
  const key = `entry:${entry.index}`;
  const startedOn = isoDate(startAt);
  const started = {
    entryId,
    medication: medicationOf(drug),
    use: drug.use,
    indication: random.pick(drug.indications),
    dosage: drug.dosage(startedOn),
    startedOn,
    prescriptionType: entry.prescriptionType,
  };
  timeline.add(startAt, 'StartMedication', started, prescriber, `${key}:start`);
  if (entry.prescriptionType === 'E') {
    planPrescriptions(plan, entry, actors, Math.min(endAt, anchor));
  }
  // Some dosage changes on regular treatments (about 15%).
  if (drug.changedDosage !== undefined && random.chance(0.15)) {
    const at = officeHours(random, startAt + random.int(20, 300) * DAY);
    if (at < endAt) {
      const effectiveFrom = isoDate(at);
      const change = {
        entryId,
        dosage: drug.changedDosage(effectiveFrom),
        effectiveFrom,
        reason: random.pick(DOSAGE_CHANGE_REASONS),
      };
      timeline.add(at, 'ChangeDosage', change, prescriber, `${key}:dosage`);
    }
  }
  // Anticoagulants and antiplatelets are paused before a procedure, then resumed.
  if (drug.pausable === true && random.chance(0.15)) {
    const pausedAt = officeHours(random, startAt + random.int(30, 300) * DAY);
    const resumedAt = officeHours(random, pausedAt + random.int(3, 7) * DAY);
    if (resumedAt < endAt) {
      const pause = { entryId, pausedAt: isoDateTime(pausedAt), reason: 'Pause før tanntrekking' };
      timeline.add(pausedAt, 'PauseMedication', pause, prescriber, `${key}:pause`);
      const resume = { entryId, resumedAt: isoDateTime(resumedAt) };
      timeline.add(resumedAt, 'ResumeMedication', resume, prescriber, `${key}:resume`);
    }
  }
  if (endAt !== Number.POSITIVE_INFINITY) {
    const course = drug.courseDays !== undefined;
    const reasonCode: DiscontinuationReasonCode = course ? 'A' : random.pick(DISCONTINUATION_REASONS);
    const note = course ? 'Kuren er fullført' : random.pick(DISCONTINUATION_NOTES[reasonCode]);
    const discontinuation = { entryId, discontinuedAt: isoDateTime(endAt), reasonCode, note };
    timeline.add(endAt, 'DiscontinueMedication', discontinuation, prescriber, `${key}:discontinue`);
  }
};

/**
 * The e-prescription, and its renewals: a prescription lasts a year, so it is renewed (85%) shortly before it
 * expires while the treatment goes on. A multidose pharmacy sometimes asks first (7495 code 3, answered 7493 code 5).
 */
const planPrescriptions = (plan: Plan, entry: EntryPlan, actors: Actors, stop: number): void => {
  const { random, timeline, id } = plan;
  const { prescriber, pharmacy } = actors;
  const { entryId } = entry;
  const key = `entry:${entry.index}`;
  const dispensingsAllowed = random.pick([2, 3, 4, 4]);
  let prescriptionId = id('prescription', entry.index, 0);
  let issuedAt = entry.startAt + 3 * MINUTE;
  const issue = { prescriptionId, entryId, issuedAt: isoDateTime(issuedAt), dispensingsAllowed };
  timeline.add(issuedAt, 'IssuePrescription', issue, prescriber, `${key}:rx:0`, `${key}:start`);
  for (let r = 0; ; r += 1) {
    const renewAt = officeHours(random, issuedAt + random.int(320, 355) * DAY);
    const renews = entry.drug.courseDays === undefined && renewAt < stop && random.chance(0.85);
    const rx = { prescriptionId, issuedAt, until: renews ? renewAt : stop, dispensingsAllowed };
    planDispensings(plan, entry, `${key}:rx:${r}`, rx, pharmacy);
    if (!renews) {
      return;
    }
    const rxKey = `${key}:rx:${r + 1}`;
    if (actors.multidose && random.chance(0.5)) {
      const questionId = id('question', entry.index, r);
      const askedAt = renewAt - 2 * DAY;
      const question = {
        questionId,
        entryId,
        questionCode: '3' as const,
        text: 'Resepten utløper snart. Skal den fornyes?',
        askedAt: isoDateTime(askedAt),
        pharmacyHerId: pharmacy.herId,
      };
      timeline.add(askedAt, 'AskMultidoseQuestion', question, pharmacyActor(pharmacy), `${rxKey}:question`, rxKey);
      const answer = { questionId, answerCode: '5' as const, answeredAt: isoDateTime(renewAt - MINUTE) };
      timeline.add(renewAt - MINUTE, 'AnswerMultidoseQuestion', answer, prescriber, `${rxKey}:answer`, rxKey);
    }
    const newPrescriptionId = id('prescription', entry.index, r + 1);
    const withChange = random.chance(0.1);
    const renewal = { prescriptionId, newPrescriptionId, renewedAt: isoDateTime(renewAt), withChange };
    timeline.add(renewAt, 'RenewPrescription', renewal, prescriber, rxKey, rxKey);
    prescriptionId = newPrescriptionId;
    issuedAt = renewAt;
  }
};

interface PrescriptionWindow {
  readonly prescriptionId: string;
  readonly issuedAt: number;
  /** dispensed only before this (renewal, discontinuation or the horizon) */
  readonly until: number;
  readonly dispensingsAllowed: number;
}

/** 1–3 dispensings for about 60% of prescriptions, about every three months; now and then one is annulled. */
const planDispensings = (
  plan: Plan,
  entry: EntryPlan,
  key: string,
  rx: PrescriptionWindow,
  pharmacy: Pharmacy,
): void => {
  const { random, timeline, id } = plan;
  if (!random.chance(0.6)) {
    return;
  }
  const count = Math.min(random.int(1, 3), rx.dispensingsAllowed);
  for (let j = 0; j < count; j += 1) {
    const at = officeHours(random, rx.issuedAt + (random.int(0, 2) + j * random.int(80, 95)) * DAY) + 2 * 60 * MINUTE;
    if (at >= rx.until || at <= rx.issuedAt) {
      return;
    }
    // Generic substitution: same ATC code, another product (domain.md: compare by substance, never by number).
    const substitute = entry.drug.substitute !== undefined && random.chance(0.3) ? entry.drug.substitute : undefined;
    const dispensingId = id('dispensing', key, j);
    const dispensing = {
      dispensingId,
      prescriptionId: rx.prescriptionId,
      dispensedAt: isoDateTime(at),
      product: medicationOf(entry.drug, substitute),
      quantity: entry.drug.pack,
      pharmacyHerId: pharmacy.herId,
      prescriptionUsedUp: j + 1 === rx.dispensingsAllowed,
    };
    timeline.add(at, 'RecordDispensing', dispensing, pharmacyActor(pharmacy), `${key}:dispensing:${j}`);
    if (random.chance(0.03)) {
      const annulledAt = at + 45 * MINUTE;
      const reason = 'Feil pakningsstørrelse utlevert';
      const annulment = { dispensingId, annulledAt: isoDateTime(annulledAt), reason };
      timeline.add(annulledAt, 'AnnulDispensing', annulment, pharmacyActor(pharmacy), `${key}:dispensing:${j}:annul`);
    }
  }
};

/**
 * The multidose pharmacy's packing reports (M25.3) for the last (up to four) 14-day rolls before the horizon.
 * Per entry in treatment: packed, or given outside multidose (not packable, or as needed).
 */
const planPackings = (plan: Plan, entries: readonly EntryPlan[], registeredAt: number, pharmacy: Pharmacy): void => {
  const { timeline, anchor, id } = plan;
  const first = startOfUtcDay(registeredAt) + 7 * DAY + 10 * 60 * MINUTE;
  for (let k = 0; first + k * 14 * DAY < anchor; k += 1) {
    const at = first + k * 14 * DAY;
    const lines = entries
      .filter((entry) => entry.startAt < at && entry.endAt > at)
      .map((entry) => ({ entryId: entry.entryId, packed: entry.drug.packable && entry.drug.use !== '3' }));
    if (at < anchor - 56 * DAY || lines.length === 0) {
      continue;
    }
    const firstDoseOn = isoDate(at + 4 * DAY);
    const lastDoseOn = addDays(firstDoseOn, 13);
    // The order deadline for changes to the next roll: a week before this one runs out.
    const orderDeadline = addDays(lastDoseOn, -7);
    const packing = { packingId: id('packing', k), firstDoseOn, lastDoseOn, orderDeadline, entries: lines };
    timeline.add(at, 'RecordMultidosePacking', packing, pharmacyActor(pharmacy), `packing:${k}`);
  }
};

/** Now and then a message from the multidose pharmacy (7495 code 5), acknowledged by the doctor (7493 code 8). */
const planMultidoseMessage = (plan: Plan, registeredAt: number, pharmacy: Pharmacy, prescriber: Actor): void => {
  const { random, timeline, anchor, id } = plan;
  if (!random.chance(0.2)) {
    return;
  }
  const questionId = id('question', 'message');
  const askedAt = officeHours(random, registeredAt + random.int(1, daysBetween(registeredAt, anchor, 3) - 2) * DAY);
  const question = {
    questionId,
    questionCode: '5' as const,
    text: 'Ny rull leveres mandag. Legemidler ved behov og flytende legemidler ligger utenfor multidose.',
    askedAt: isoDateTime(askedAt),
    pharmacyHerId: pharmacy.herId,
  };
  timeline.add(askedAt, 'AskMultidoseQuestion', question, pharmacyActor(pharmacy), 'message', 'message');
  const answer = { questionId, answerCode: '8' as const, answeredAt: isoDateTime(askedAt + DAY) };
  timeline.add(askedAt + DAY, 'AnswerMultidoseQuestion', answer, prescriber, 'message:answer', 'message');
};

/** Reconciliation on admission, a yearly medication review, and now and then a hospital stay that unmarks it. */
const planReviews = (plan: Plan, careProvider: CareProvider, admission: number, prescriber: Actor): void => {
  const { random, timeline, anchor } = plan;
  const review = (at: number, kind: ReviewKind, note: string, key: string): void => {
    timeline.add(at, 'MarkListReviewed', { kind, reviewedAt: isoDateTime(at), note }, prescriber, key);
  };
  if (random.chance(careProvider.kind === 'nursing-home' ? 0.7 : 0.4)) {
    const at = officeHours(random, admission + random.int(1, 3) * DAY);
    review(at, 'reconciliation', 'Samstemt ved innkomst', 'review:admission');
  }
  for (let year = 1; admission + year * 365 * DAY < anchor; year += 1) {
    const at = officeHours(random, admission + (year * 365 + random.int(-20, 10)) * DAY);
    if (random.chance(0.8)) {
      review(at, 'medication-review', 'Årlig legemiddelgjennomgang', `review:year:${year}`);
    }
  }
  if (random.chance(0.06) && anchor - admission > 60 * DAY) {
    const at = officeHours(random, admission + random.int(30, daysBetween(admission, anchor) - 20) * DAY);
    const notReviewed = { reason: 'Innlagt på sykehus', markedAt: isoDateTime(at) };
    timeline.add(at, 'MarkListNotReviewed', notReviewed, prescriber, 'hospital:admitted');
    const back = officeHours(random, at + random.int(4, 10) * DAY);
    review(back, 'reconciliation', 'Samstemt etter utskrivning fra sykehus', 'hospital:discharged');
  }
};
