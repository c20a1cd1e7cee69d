import type { Dosage, IsoDate, IsoDateTime, Medication } from '../../medication-list/domain/medication-list.events';
import { datePart } from '../../medication-list/domain/medication-list.validation';
import type { FeedSource, PrescriptionStatusCode } from '../domain/external-record';
import type { DiscrepancyCode, ReconciliationEntry, ReconciliationListView } from '../domain/reconcile';
import {
  changedDose,
  DAY_MS,
  dispensedFormOf,
  medicationDispenseLine,
  medicationRequestLine,
  otherResourceLine,
  randomDosage,
  Rng,
  SYNTHETIC_DRUGS,
  syntheticPatientId,
  type SyntheticDrug,
} from './synthetic-fhir';

/**
 * A deterministic synthetic population for reconciliation tests and the benchmark: per patient a list, the
 * e-prescription registry lines (MedicationRequest) and core-record lines (MedicationDispense), with discrepancies
 * of every type D1–D8 PLANTED on purpose and their keys as ground truth. Everything else is built to be clean, so
 * reconcile must find exactly the planted keys. Patients are yielded one at a time (100k patients stream fine).
 * Patient ids are synthetic test numbers (month + 80, Skatteetaten Test Norge) with valid check digits.
 */

export const SYNTHETIC_NOW: IsoDateTime = '2026-03-01T12:00:00.000Z';

export interface SyntheticFeedOptions {
  readonly patients: number;
  readonly seed?: number;
  readonly now?: IsoDateTime;
}

export interface PlantedDiscrepancy {
  readonly code: DiscrepancyCode;
  readonly key: string;
}

export interface SyntheticPatient {
  readonly patientId: string;
  readonly list: ReconciliationListView;
  readonly eprescriptionLines: readonly string[];
  readonly coreRecordLines: readonly string[];
  readonly planted: readonly PlantedDiscrepancy[];
}

const CODES: readonly DiscrepancyCode[] = ['D1', 'D2', 'D3', 'D4', 'D5', 'D6', 'D7', 'D8'];
const addDays = (date: IsoDate, days: number): IsoDate =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const at = (date: IsoDate, time: string): IsoDateTime => `${date}T${time}:00.000Z`;

/** Yields the synthetic patients in order; the same options always give the same patients. */
export function* generateSyntheticPatients(options: SyntheticFeedOptions): Generator<SyntheticPatient> {
  const rng = new Rng(options.seed ?? 1);
  const today = datePart(options.now ?? SYNTHETIC_NOW);
  for (let index = 0; index < options.patients; index += 1) {
    const primary = index % 9 < 8 ? CODES[index % 9] : undefined; // every ninth patient is clean
    const secondary = rng.chance(0.2) ? rng.pick(CODES.filter((code) => code !== primary)) : undefined;
    const builder = new PatientBuilder(index, syntheticPatientId(index), rng, today);
    builder.plant([primary, secondary].filter((code): code is DiscrepancyCode => code !== undefined));
    yield builder.build();
  }
}

/** The NDJSON lines of one feed, streamed patient by patient. */
export function* syntheticFeedLines(patients: Iterable<SyntheticPatient>, source: FeedSource): Generator<string> {
  for (const patient of patients) {
    yield* source === 'eprescription' ? patient.eprescriptionLines : patient.coreRecordLines;
  }
}

interface Treatment {
  readonly entryId: string;
  readonly prescriptionId: string;
  readonly medication: Medication;
  readonly dosage: Dosage;
  readonly startedOn: IsoDate;
  readonly issuedOn: IsoDate;
  readonly expiresOn: IsoDate;
}

class PatientBuilder {
  private readonly entries: ReconciliationEntry[] = [];
  private readonly eprescription: string[] = [];
  private readonly coreRecord: string[] = [];
  private readonly planted: PlantedDiscrepancy[] = [];
  private readonly drugs: SyntheticDrug[];
  private entryCount = 0;

  constructor(
    private readonly index: number,
    private readonly patientId: string,
    private readonly rng: Rng,
    private readonly today: IsoDate,
  ) {
    // Each treatment draws its own substance, so no unplanned duplicate therapy (D6) can appear.
    this.drugs = [...SYNTHETIC_DRUGS];
  }

  plant(codes: readonly DiscrepancyCode[]): void {
    const clean = this.rng.int(1, 3); // at least one registry prescription, so the feed covers the patient (D8)
    for (let i = 0; i < clean; i += 1) {
      this.clean();
    }
    if (this.rng.chance(0.2)) {
      this.discontinued('T');
    }
    if (this.rng.chance(0.05)) {
      this.eprescription.push(otherResourceLine(this.rng));
    }
    for (const code of codes) {
      this.plantOne(code);
    }
  }

  build(): SyntheticPatient {
    return {
      patientId: this.patientId,
      list: { patientId: this.patientId, entries: this.entries },
      eprescriptionLines: this.eprescription,
      coreRecordLines: this.coreRecord,
      planted: this.planted,
    };
  }

  private plantOne(code: DiscrepancyCode): void {
    switch (code) {
      case 'D1': {
        // Sometimes the same drug as an existing entry: reconcile names it as a candidate, still a D1.
        const existing = this.entries[0];
        const medication = existing && this.rng.chance(0.3) ? existing.medication : this.nextDrug().brands[0];
        const t = this.treatment(medication, this.rng.int(0, 60), this.rng.int(0, 60));
        this.prescription(t, this.rng.chance(0.8) ? 'E' : 'U');
        return this.mark('D1', t.prescriptionId);
      }
      case 'D2': {
        const t = this.discontinued(this.rng.chance(0.8) ? 'E' : 'U');
        return this.mark('D2', t.entryId, t.prescriptionId);
      }
      case 'D3':
        return this.rng.chance(0.5) ? this.dispensedAfterDiscontinuation() : this.dispensedAfterRenewal();
      case 'D4': {
        const t = this.treatment(this.nextDrug().brands[0]);
        this.entry(t);
        this.prescription(t, 'E', changedDose(t.dosage));
        return this.mark('D4', t.entryId, t.prescriptionId);
      }
      case 'D5': {
        // Issued just under a year ago (expires within the 30-day window) or just over (already expired).
        const days = this.rng.chance(0.5) ? 365 - this.rng.int(1, 25) : 365 + this.rng.int(1, 20);
        const t = this.treatment(this.nextDrug().brands[0], days + this.rng.int(0, 200), days);
        this.entry(t);
        const status = t.expiresOn < this.today && this.rng.chance(0.5) ? 'F' : 'E';
        this.prescription(t, status, t.dosage, this.rng.chance(0.3));
        return this.mark('D5', t.entryId, t.prescriptionId);
      }
      case 'D6': {
        const drug = this.nextDrug();
        const ids = drug.brands.map((brand) => {
          const t = this.treatment(brand);
          this.entry(t);
          this.prescription(t, 'E');
          return t.entryId;
        });
        return this.mark('D6', drug.atcCode, ids.sort().join(','));
      }
      case 'D7': {
        const drug = this.nextDrug();
        const t = this.treatment(drug.brands[0]);
        this.entry(t);
        this.prescription(t, 'E');
        const dispensingId = this.dispensing(t, this.dispensingTime(t.issuedOn, this.today), drug.brands[1]);
        return this.mark('D7', dispensingId);
      }
      case 'D8': {
        const t = this.treatment(this.nextDrug().brands[0]);
        this.entry(t);
        const roll = this.rng.int(0, 3);
        if (roll > 1) {
          this.prescription(t, roll === 2 ? 'T' : 'R'); // else: absent from the registry altogether
        }
        return this.mark('D8', t.entryId, t.prescriptionId);
      }
    }
  }

  private mark(code: DiscrepancyCode, ...ids: string[]): void {
    this.planted.push({ code, key: [code, ...ids].join('|') });
  }

  /** An ongoing entry that agrees with the registry in every respect. */
  private clean(): void {
    const drug = this.nextDrug();
    // Every third clean treatment is prescribed on substance level (preferred since 2024): any brand dispensed
    // under it is normal, never a D7. Chosen by position, not by the PRNG, so the populations stay as they were.
    const t = this.treatment((this.index + this.entryCount) % 3 === 0 ? drug.substance : drug.brands[0]);
    this.entry(t, this.rng.chance(0.1) ? 'paused' : 'active');
    this.prescription(t, this.rng.chance(0.9) ? 'E' : 'U');
    if (this.rng.chance(0.6)) {
      this.dispensing(t, this.dispensingTime(t.issuedOn, this.today));
    }
    if (this.rng.chance(0.1)) {
      // A substitution the pharmacy annulled afterwards: no D7 may come of it.
      const id = this.dispensing(t, this.dispensingTime(t.issuedOn, this.today), drug.brands[1]);
      this.dispensing(t, this.dispensingTime(t.issuedOn, this.today), drug.brands[1], true, id);
    }
  }

  /** A discontinued entry (prescription recalled with it); the registry says `status`. */
  private discontinued(status: PrescriptionStatusCode): Treatment & { stoppedOn: IsoDate } {
    const issued = this.rng.int(100, 240); // stopped 1–90 days after issue, so always at least 10 days ago
    const t = this.treatment(this.nextDrug().brands[0], issued + this.rng.int(0, 300), issued);
    const stoppedOn = addDays(t.issuedOn, this.rng.int(1, 90));
    const stoppedAt = at(stoppedOn, '10:00');
    this.entries.push(this.entryOf(t, 'discontinued', stoppedAt, [{ status: 'recalled', recalledAt: stoppedAt }]));
    this.prescription(t, status);
    this.dispensing(t, this.dispensingTime(t.issuedOn, addDays(stoppedOn, -1)));
    return { ...t, stoppedOn };
  }

  private dispensedAfterDiscontinuation(): void {
    const t = this.discontinued('T');
    const id = this.dispensing(t, this.dispensingTime(addDays(t.stoppedOn, 1), this.today));
    this.mark('D3', id);
  }

  /** Renewed a month ago; the pharmacy still dispensed on the recalled old prescription. */
  private dispensedAfterRenewal(): void {
    const old = this.treatment(this.nextDrug().brands[0], this.rng.int(200, 600), this.rng.int(60, 200));
    const renewedOn = addDays(this.today, -30);
    const renewal: Treatment = {
      ...old,
      prescriptionId: this.rng.uuid(),
      issuedOn: renewedOn,
      expiresOn: addDays(renewedOn, 365),
    };
    this.entries.push({
      ...this.entryOf(old, 'active'),
      prescriptions: [
        {
          prescriptionId: old.prescriptionId,
          status: 'recalled',
          recalledAt: at(renewedOn, '09:30'),
          expiresOn: old.expiresOn,
        },
        { prescriptionId: renewal.prescriptionId, status: 'active', expiresOn: renewal.expiresOn },
      ],
    });
    this.prescription(old, 'T');
    this.prescription(renewal, 'E');
    this.mark('D3', this.dispensing(old, this.dispensingTime(addDays(renewedOn, 1), this.today)));
  }

  private nextDrug(): SyntheticDrug {
    const i = this.rng.int(0, this.drugs.length - 1);
    const [drug] = this.drugs.splice(i, 1);
    if (!drug) {
      throw new RangeError('synthetic drug catalogue exhausted');
    }
    return drug;
  }

  private treatment(medication: Medication, startedDaysAgo = this.rng.int(30, 800), issuedDaysAgo?: number): Treatment {
    const issued = issuedDaysAgo ?? this.rng.int(0, Math.min(300, startedDaysAgo));
    const startedOn = addDays(this.today, -Math.max(startedDaysAgo, issued));
    const issuedOn = addDays(this.today, -issued);
    this.entryCount += 1;
    return {
      entryId: `E${this.index}-${this.entryCount}`,
      prescriptionId: this.rng.uuid(),
      medication,
      dosage: randomDosage(this.rng, medication, startedOn),
      startedOn,
      issuedOn,
      expiresOn: addDays(issuedOn, 365),
    };
  }

  private entryOf(
    t: Treatment,
    status: ReconciliationEntry['status'],
    discontinuedAt?: IsoDateTime,
    link: readonly { status: 'active' | 'recalled'; recalledAt?: IsoDateTime }[] = [{ status: 'active' }],
  ): ReconciliationEntry {
    return {
      entryId: t.entryId,
      status,
      ...(discontinuedAt === undefined ? {} : { discontinuedAt }),
      medication: t.medication,
      dosage: t.dosage,
      startedOn: t.startedOn,
      prescriptions: link.map((l) => ({ prescriptionId: t.prescriptionId, expiresOn: t.expiresOn, ...l })),
    };
  }

  private entry(t: Treatment, status: 'active' | 'paused' = 'active'): void {
    this.entries.push(this.entryOf(t, status));
  }

  /** The registry's copy; its dosage starts on the issue date (the entry started earlier), as in real life. */
  private prescription(t: Treatment, status: PrescriptionStatusCode, dosage = t.dosage, statusExtension = false): void {
    const feedDosage = { ...dosage, periods: dosage.periods.map((p) => ({ ...p, start: t.issuedOn })) };
    const issuedAt = at(t.issuedOn, '08:15');
    const line = { ...t, patientId: this.patientId, status, dosage: feedDosage, issuedAt, statusExtension };
    this.eprescription.push(medicationRequestLine(line, this.rng));
  }

  private dispensing(
    t: Treatment,
    dispensedAt: IsoDateTime,
    product = t.medication,
    annulled = false,
    id = this.rng.uuid(),
  ): string {
    const { prescriptionId } = t;
    // Pharmacies name the package and dose they handed over, and its brand (issue 16).
    const handedOver = dispensedFormOf(product, this.entryCount);
    const line = {
      dispensingId: id,
      prescriptionId,
      patientId: this.patientId,
      product: handedOver,
      dispensedAt,
      annulled,
    };
    this.coreRecord.push(medicationDispenseLine(line, this.rng));
    return id;
  }

  /** A time on a day in [from, to], before noon (so never after `now` on today). */
  private dispensingTime(from: IsoDate, to: IsoDate): IsoDateTime {
    const span = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS));
    const time = `1${this.rng.int(0, 1)}:${String(this.rng.int(0, 59)).padStart(2, '0')}`;
    return at(addDays(from, this.rng.int(0, span)), time);
  }
}
