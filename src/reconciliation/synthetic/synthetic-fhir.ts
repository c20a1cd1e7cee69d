import { mulberry32 } from '../../shared/seeded-random';
import { generatePersonNumber, OID } from '../../identifiers/norwegian-identifiers';
import type {
  AsNeededDose,
  Dosage,
  FixedDose,
  IsoDate,
  Medication,
  PartOfDayCode,
} from '../../medication-list/domain/medication-list.events';
import type { PrescriptionStatusCode } from '../domain/external-record';
import { toFhirDosage } from '../feeds/fhir-dosage';
import { FEST_ID_FIELDS, FEST_NAMING_SYSTEMS, type FestIdField } from '../feeds/fest-naming-systems';
import { FHIR_SYSTEM, IDENTIFIER_TYPE } from '../feeds/fhir-elements';

/**
 * Building blocks of the synthetic feed: a seeded PRNG, a small drug catalogue and FHIR R4 resource builders that
 * write exactly the shapes the parser reads. Test data only; deterministic for a given seed.
 */

export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** an integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) {
      throw new Error('nothing to pick from an empty list');
    }
    return item;
  }

  /** a UUID-shaped id (version 4 layout) from the PRNG */
  uuid(): string {
    const hex = (): string =>
      Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    const [a, b, c, d] = [hex(), hex(), hex(), hex()];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
  }
}

export interface SyntheticDrug {
  readonly atcCode: string;
  readonly unit: string;
  /** two brands (FEST LegemiddelMerkevare) of the same substance, for substitution and duplicate therapy */
  readonly brands: readonly [Medication, Medication];
  /** the substance (LegemiddelVirkestoff): what a substance-level prescription names */
  readonly substance: Medication;
  /** each brand as a pharmacy dispenses it: brand, package (id and varenummer), dose (id and LMR løpenummer) */
  readonly packages: readonly [Medication, Medication];
}

const DRUG_TABLE: readonly (readonly [string, string, string, string])[] = [
  ['C09AA05', 'Ramipril', 'Triatec', 'tablett'],
  ['C10AA01', 'Simvastatin', 'Zocor', 'tablett'],
  ['A02BC01', 'Omeprazol', 'Losec', 'kapsel'],
  ['N02BE01', 'Paracetamol', 'Paracet', 'tablett'],
  ['C07AB02', 'Metoprolol', 'Selo-Zok', 'tablett'],
  ['B01AC06', 'Acetylsalisylsyre', 'Albyl-E', 'tablett'],
  ['A10BA02', 'Metformin', 'Glucophage', 'tablett'],
  ['C03CA01', 'Furosemid', 'Diural', 'tablett'],
  ['N05CF01', 'Zopiklon', 'Imovane', 'tablett'],
  ['N06AB04', 'Citalopram', 'Cipramil', 'tablett'],
  ['H03AA01', 'Levotyroksin', 'Levaxin', 'tablett'],
  ['C08CA01', 'Amlodipin', 'Norvasc', 'tablett'],
  ['B01AF01', 'Rivaroksaban', 'Xarelto', 'tablett'],
  ['M01AE01', 'Ibuprofen', 'Ibux', 'tablett'],
  ['N03AX12', 'Gabapentin', 'Neurontin', 'kapsel'],
  ['C09CA01', 'Losartan', 'Cozaar', 'tablett'],
  ['N06AX11', 'Mirtazapin', 'Remeron', 'tablett'],
  ['A11CC05', 'Kolekalsiferol', 'Nycoplus D-vitamin', 'tablett'],
  ['R03AC02', 'Salbutamol', 'Ventoline', 'dose'],
  ['N05BA04', 'Oksazepam', 'Sobril', 'tablett'],
  ['C01AA05', 'Digoksin', 'Lanoxin', 'tablett'],
  ['B01AA03', 'Warfarin', 'Marevan', 'tablett'],
  ['N02AA01', 'Morfin', 'Dolcontin', 'tablett'],
  ['A06AD11', 'Laktulose', 'Duphalac', 'ml'],
];

/**
 * The catalogue: FEST ids come from their own fixed seeds, so a brand has one id in every run and feed. The other
 * levels (issue 16) come from a second seed, so the brand ids stay what they were before the levels existed.
 */
export const SYNTHETIC_DRUGS: readonly SyntheticDrug[] = (() => {
  const rng = new Rng(0x5eed);
  const levels = new Rng(0x1e7e1);
  const festId = (r: Rng): string => `ID_${r.uuid().toUpperCase()}`;
  const digits = (r: Rng, n: number): string => String(r.int(0, 10 ** n - 1)).padStart(n, '0');
  const packaged = (brand: Medication): Medication => ({
    ...brand,
    festPackageId: festId(levels),
    packageNumber: digits(levels, 6),
    festDoseId: festId(levels),
    lmrNumber: digits(levels, 7),
  });
  return DRUG_TABLE.map(([atcCode, generic, brand, unit]) => {
    const brands = [
      { festId: festId(rng), atcCode, displayName: `${brand} 10 mg ${unit}` },
      { festId: festId(rng), atcCode, displayName: `${generic} Generika 10 mg ${unit}` },
    ] as const;
    const substance = { festSubstanceId: festId(levels), atcCode, displayName: `${generic} 10 mg ${unit}` };
    return { atcCode, unit, brands, substance, packages: [packaged(brands[0]), packaged(brands[1])] as const };
  });
})();

/**
 * What a pharmacy hands over for a prescribed drug: a brand with its package and dose; for a substance-level
 * prescription, one of the substance's brands (`choice` picks which).
 */
export const dispensedFormOf = (medication: Medication, choice: number): Medication => {
  for (const drug of SYNTHETIC_DRUGS) {
    const packaged = drug.packages.find((p) => p.festId !== undefined && p.festId === medication.festId);
    if (packaged) {
      return packaged;
    }
    if (medication.festSubstanceId !== undefined && medication.festSubstanceId === drug.substance.festSubstanceId) {
      return drug.packages[choice % 2] ?? drug.packages[0];
    }
  }
  return medication;
};

/** The spellings of each level's systems, in the order of fest-naming-systems.ts. */
const SPELLINGS: ReadonlyMap<FestIdField, readonly string[]> = new Map(
  FEST_ID_FIELDS.map((name) => [name, FEST_NAMING_SYSTEMS.filter((s) => s.field === name).map((s) => s.system)]),
);

/** A system not in the table, as feeds carry them (SNOMED CT is not read by the service): kept and reported. */
export const SYNTHETIC_UNKNOWN_SYSTEM = 'http://snomed.info/sct';

/**
 * Every level the medication names, each under one of its published spellings: which one follows from the code, so
 * a line is the same in every run and a population covers every spelling. One drug in five also carries a coding
 * in a system the service does not know.
 */
const codeableConcept = (medication: Medication): Record<string, unknown> => {
  const pick = (code: string, systems: readonly string[]): string => {
    let sum = 0;
    for (let i = 0; i < code.length; i += 1) {
      sum += code.charCodeAt(i);
    }
    return systems[sum % systems.length] ?? FHIR_SYSTEM.fest;
  };
  const fest = FEST_ID_FIELDS.flatMap((name) => {
    const code = medication[name];
    return code === undefined
      ? []
      : [{ system: pick(code, SPELLINGS.get(name) ?? []), code, display: medication.displayName }];
  });
  const key = medication.festId ?? medication.festSubstanceId ?? medication.displayName;
  const unknown = pick(key, ['', '', '', '', SYNTHETIC_UNKNOWN_SYSTEM]);
  return {
    coding: [
      ...fest,
      ...(medication.atcCode === undefined ? [] : [{ system: FHIR_SYSTEM.atc, code: medication.atcCode }]),
      ...(unknown === '' ? [] : [{ system: unknown, code: '387517004', display: 'ukjent for tjenesten' }]),
    ],
    text: medication.displayName,
  };
};

const subject = (patientId: string): Record<string, unknown> => ({ identifier: { system: OID.fnr, value: patientId } });

/** FHIR MedicationRequest.status for a 7408 status (the inverse of the parser's mapping). */
const REQUEST_STATUS: Readonly<Record<PrescriptionStatusCode, string>> = {
  E: 'active',
  U: 'on-hold',
  R: 'completed',
  T: 'stopped',
  F: 'active',
};

export interface SyntheticPrescription {
  readonly prescriptionId: string;
  readonly patientId: string;
  readonly status: PrescriptionStatusCode;
  readonly medication: Medication;
  readonly dosage: Dosage;
  readonly issuedAt: string;
  readonly expiresOn: IsoDate;
  /** also write the 7408 code in an extension (the parser prefers it) */
  readonly statusExtension?: boolean;
}

// FHIR has no "expired" request status; the registry's own 7408 code travels in an extension (any url).
const statusExtension = (code: PrescriptionStatusCode): Record<string, unknown> => ({
  url: 'urn:example:prescription-status',
  valueCoding: { system: FHIR_SYSTEM.prescriptionStatus, code },
});

export const medicationRequestLine = (p: SyntheticPrescription, rng: Rng): string =>
  JSON.stringify({
    resourceType: 'MedicationRequest',
    id: rng.uuid(), // resource ids are unstable by design: the parser must not key on them
    ...(p.statusExtension || p.status === 'F' ? { extension: [statusExtension(p.status)] } : {}),
    identifier: [{ type: { text: IDENTIFIER_TYPE.prescription }, value: p.prescriptionId }],
    status: REQUEST_STATUS[p.status],
    intent: 'order',
    medicationCodeableConcept: codeableConcept(p.medication),
    subject: subject(p.patientId),
    authoredOn: p.issuedAt,
    requester: { identifier: { system: OID.hprNumber, value: String(rng.int(1_000_000, 9_999_999)) } },
    dosageInstruction: toFhirDosage(p.dosage),
    dispenseRequest: {
      validityPeriod: { start: p.issuedAt.slice(0, 10), end: p.expiresOn },
      numberOfRepeatsAllowed: rng.int(0, 3),
    },
  });

export interface SyntheticDispensing {
  readonly dispensingId: string;
  readonly prescriptionId: string;
  readonly patientId: string;
  readonly product: Medication;
  readonly dispensedAt: string;
  readonly annulled?: boolean;
}

export const medicationDispenseLine = (d: SyntheticDispensing, rng: Rng): string =>
  JSON.stringify({
    resourceType: 'MedicationDispense',
    id: rng.uuid(),
    identifier: [{ type: { text: IDENTIFIER_TYPE.dispensing }, value: d.dispensingId }],
    status: d.annulled ? 'entered-in-error' : 'completed',
    medicationCodeableConcept: codeableConcept(d.product),
    subject: subject(d.patientId),
    performer: [{ actor: { identifier: { system: OID.herId, value: String(rng.int(10_000, 999_999)) } } }],
    authorizingPrescription: [{ identifier: { value: d.prescriptionId } }],
    quantity: { value: rng.pick([28, 30, 98, 100]), unit: 'stk' },
    whenHandedOver: d.dispensedAt,
  });

/** A resource type the feeds do not carry: skipped and counted by the parser. */
export const otherResourceLine = (rng: Rng): string =>
  JSON.stringify({ resourceType: 'Organization', id: rng.uuid(), name: 'Syntetisk apotek' });

export const DAY_MS = 86_400_000;
/** The number of patients the id scheme below can number uniquely. */
export const MAX_SYNTHETIC_PATIENTS = 180_000;

// Unique ids without a lookup table: patient i gets birth date 1940-01-01 + (i mod 18 000) days and an individual
// number in its own block of 50 (i div 18 000), skipping numbers whose check digit would be 10.
const BLOCK_DAYS = 18_000;
const FIRST_BIRTH_DAY = Date.UTC(1940, 0, 1);

export const syntheticPatientId = (index: number): string => {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SYNTHETIC_PATIENTS) {
    throw new RangeError(`synthetic patient index must be 0..${MAX_SYNTHETIC_PATIENTS - 1}`);
  }
  const birth = new Date(FIRST_BIRTH_DAY + (index % BLOCK_DAYS) * DAY_MS);
  const date = { day: birth.getUTCDate(), month: birth.getUTCMonth() + 1, year: birth.getUTCFullYear() };
  const block = Math.floor(index / BLOCK_DAYS) * 50;
  for (let individual = block; individual < block + 50; individual += 1) {
    const id = generatePersonNumber(date, individual, { monthOffset: 80 });
    if (id !== undefined) {
      return id;
    }
  }
  throw new RangeError('no valid individual number in block'); // cannot happen: ~1 in 6 numbers is invalid
};

const PARTS: readonly PartOfDayCode[] = ['1', '3', '5', '6'];

/** A plausible one-period dosage: fixed doses at parts of day or clock times, or as needed with limits. */
export const randomDosage = (rng: Rng, medication: Medication, start: IsoDate): Dosage => {
  const unit = SYNTHETIC_DRUGS.find((d) => d.atcCode === medication.atcCode)?.unit ?? 'tablett';
  if (rng.chance(0.15)) {
    const interval = rng.chance(0.5) ? { minIntervalHours: 4 } : {};
    const asNeeded: AsNeededDose = { quantity: 1, unit, maxPer24h: rng.pick([3, 4, 6]), ...interval };
    return { periods: [{ start, fixedDoses: [], asNeeded }] };
  }
  const quantity = rng.pick([0.5, 1, 1, 2]);
  const fixedDoses: FixedDose[] = rng.chance(0.2)
    ? [
        { quantity, unit, time: '08:00' },
        { quantity, unit, time: '20:00' },
      ]
    : PARTS.filter(() => rng.chance(0.4)).map((partOfDay) => ({ quantity, unit, partOfDay }));
  const doses = fixedDoses.length > 0 ? fixedDoses : [{ quantity, unit, partOfDay: '1' as const }];
  const weekdays = rng.chance(0.05) ? { weekdays: ['mon', 'thu'] as const } : {};
  return { periods: [{ start, fixedDoses: doses, ...weekdays }] };
};

/** The same dosage with a clinically different dose: double the first fixed dose, or raise the as-needed maximum. */
export const changedDose = (dosage: Dosage): Dosage => ({
  ...dosage,
  periods: dosage.periods.map((p) => ({
    ...p,
    fixedDoses: p.fixedDoses.map((d, i) => (i === 0 ? { ...d, quantity: d.quantity * 2 } : d)),
    ...(p.asNeeded === undefined ? {} : { asNeeded: { ...p.asNeeded, maxPer24h: p.asNeeded.maxPer24h + 2 } }),
  })),
});
