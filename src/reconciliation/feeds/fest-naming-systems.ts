/**
 * The naming systems under which Norwegian FHIR material names FEST drug identifiers, and the level each names.
 * Pure data and lookups, no imports: the FHIR feed parser reads codings with it, and a FHIR edge that writes
 * codings can take the preferred system per level from it. docs/reconciliation.md lists every entry with its
 * source; keep the two in step.
 *
 * Levels (FEST, domain.md): brand product (LegemiddelMerkevare), substance (LegemiddelVirkestoff), package
 * (LegemiddelPakning, and its Varenummer), dose (LegemiddelDose, and the LMR løpenummer that FHI's profile defines
 * as identifying the dose). URIs are compared exactly: the spellings differ in case between HL7 Norway's drafts and
 * FHI's forms, and each published spelling is listed as it was published.
 */

/** The fields of a medication that hold an identifier at one level (see `Medication` in medication-list.events). */
export type FestIdField = 'festId' | 'festSubstanceId' | 'festPackageId' | 'packageNumber' | 'festDoseId' | 'lmrNumber';

export type FestLevel = 'brand' | 'substance' | 'package' | 'dose';

export interface FestNamingSystem {
  readonly system: string;
  readonly field: FestIdField;
  readonly level: FestLevel;
  /** where the spelling was published (short form; docs/reconciliation.md has the paths) */
  readonly source: string;
}

/** The level each field names. */
export const LEVEL_OF_FIELD: Readonly<Record<FestIdField, FestLevel>> = {
  festId: 'brand',
  festSubstanceId: 'substance',
  festPackageId: 'package',
  packageNumber: 'package',
  festDoseId: 'dose',
  lmrNumber: 'dose',
};

const HL7_DRAFT = 'HL7Norway/LMDI NamingSystem drafts 2024-06-05';
const FHI_PROFILE = 'FHI LMDI profile lmdi-Medication and NamingSystems (folkehelseinstituttet/LMDI, HL7Norway/LMDI)';
const FHI_EN = 'FHI LMDI built guide, English rendering (folkehelseinstituttet/LMDI currentbuild/en)';

/** The legacy system the service has always read; kept for existing clients, read as the brand level. */
export const LEGACY_FEST_SYSTEM = 'http://ehelse.no/fhir/CodeSystem/FEST';

/** Every accepted system. The first entry of each field is the one a writer should use (FHI's current form). */
export const FEST_NAMING_SYSTEMS: readonly FestNamingSystem[] = [
  {
    system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelMerkevare',
    field: 'festId',
    level: 'brand',
    source: FHI_PROFILE,
  },
  {
    system: 'http://hl7.no/fhir/NamingSystem/festLegemiddelmerkevare',
    field: 'festId',
    level: 'brand',
    source: HL7_DRAFT,
  },
  {
    system: 'http://hl7.no/fhir/NamingSystem/festLegemiddelMerkevare',
    field: 'festId',
    level: 'brand',
    source: 'issue 16 (not found published)',
  },
  {
    system: 'http://dmp.no/fhir/NamingSystem/festMedicationMerkevare',
    field: 'festId',
    level: 'brand',
    source: FHI_EN,
  },
  { system: LEGACY_FEST_SYSTEM, field: 'festId', level: 'brand', source: 'this service, before issue 16' },
  {
    system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelVirkestoff',
    field: 'festSubstanceId',
    level: 'substance',
    source: FHI_PROFILE,
  },
  {
    system: 'http://hl7.no/fhir/NamingSystem/festLegemiddelvirkestoff',
    field: 'festSubstanceId',
    level: 'substance',
    source: HL7_DRAFT,
  },
  {
    system: 'http://dmp.no/fhir/NamingSystem/festMedicationSubstance',
    field: 'festSubstanceId',
    level: 'substance',
    source: FHI_EN,
  },
  {
    system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelPakning',
    field: 'festPackageId',
    level: 'package',
    source: FHI_PROFILE,
  },
  {
    system: 'http://hl7.no/fhir/NamingSystem/festLegemiddelpakning',
    field: 'festPackageId',
    level: 'package',
    source: HL7_DRAFT,
  },
  {
    system: 'http://dmp.no/fhir/NamingSystem/festMedicationPakning',
    field: 'festPackageId',
    level: 'package',
    source: FHI_EN,
  },
  {
    system: 'http://dmp.no/fhir/NamingSystem/fest-varenummer',
    field: 'packageNumber',
    level: 'package',
    source: FHI_PROFILE,
  },
  {
    system: 'http://dmp.no/fhir/NamingSystem/festLegemiddelDose',
    field: 'festDoseId',
    level: 'dose',
    source: FHI_PROFILE,
  },
  { system: 'http://dmp.no/fhir/NamingSystem/festMedicationDose', field: 'festDoseId', level: 'dose', source: FHI_EN },
  { system: 'http://dmp.no/fhir/NamingSystem/lmrLopenummer', field: 'lmrNumber', level: 'dose', source: FHI_PROFILE },
];

const BY_SYSTEM: ReadonlyMap<string, FestNamingSystem> = new Map(FEST_NAMING_SYSTEMS.map((s) => [s.system, s]));

/** The naming system of `system` (exact comparison), if the service knows it. */
export const festNamingSystemOf = (system: string): FestNamingSystem | undefined => BY_SYSTEM.get(system);

/** The system a writer should use for a field (FHI's current form). */
export const preferredSystemOf = (field: FestIdField): string =>
  FEST_NAMING_SYSTEMS.find((s) => s.field === field)?.system ?? LEGACY_FEST_SYSTEM;

/** The FEST id fields in a fixed order (brand, substance, package, varenummer, dose, LMR løpenummer). */
export const FEST_ID_FIELDS: readonly FestIdField[] = [
  'festId',
  'festSubstanceId',
  'festPackageId',
  'packageNumber',
  'festDoseId',
  'lmrNumber',
];
