import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error';
import { isValidOrganisationNumber } from '../identifiers/norwegian-identifiers';

/**
 * The organisations the service knows (issue 15, part 2): what a register says, not what a client claims. HelseID
 * does not validate a client-supplied `orgnr_child` (domain.md), so a token's sub-unit is trusted only when this
 * register places it under the token's `orgnr_parent`; the register also names organisations in the access log and
 * gives a pharmacy's HER-id for its dispensings. Loaded at start from the CSV named by ORGANISATION_REGISTER_FILE,
 * the shape of an extract from the national registers (Enhetsregisteret for the organisations, the address
 * register for HER-ids):
 *
 *   organisationNumber,parentOrganisationNumber,herId,name
 *   974633574,,,Nordby kommune
 *   974812004,974633574,,Solbakken sykehjem
 *
 * A row without a parent is a top-level organisation (a legal entity). Every organisation number is validated
 * (mod 11) and a bad row refuses start, naming its line.
 */

export interface RegisteredOrganisation {
  readonly organisationNumber: string;
  /** the legal entity this is a sub-unit of; absent for a top-level organisation */
  readonly parentOrganisationNumber?: string;
  /** its communication party id in the address register, if it has one (a pharmacy has) */
  readonly herId?: string;
  readonly name: string;
}

export const ORGANISATION_REGISTER = Symbol('ORGANISATION_REGISTER');

export const REGISTER_HEADER = 'organisationNumber,parentOrganisationNumber,herId,name';

/** Read-only lookups; pure, no I/O after construction. */
export class OrganisationRegister {
  private readonly byNumber: ReadonlyMap<string, RegisteredOrganisation>;

  constructor(organisations: readonly RegisteredOrganisation[]) {
    this.byNumber = new Map(organisations.map((organisation) => [organisation.organisationNumber, organisation]));
  }

  get size(): number {
    return this.byNumber.size;
  }

  find(organisationNumber: string): RegisteredOrganisation | undefined {
    return this.byNumber.get(organisationNumber);
  }

  nameOf(organisationNumber: string | undefined): string | undefined {
    return organisationNumber === undefined ? undefined : this.byNumber.get(organisationNumber)?.name;
  }

  /** True only when the register lists `child` with `parent` as its parent: the one way orgnr_child is trusted. */
  isSubUnitOf(child: string, parent: string | undefined): boolean {
    return parent !== undefined && this.byNumber.get(child)?.parentOrganisationNumber === parent;
  }
}

const HER_ID = /^[0-9]{1,9}$/;
const MAX_NAME = 200;

/** Splits one CSV line (RFC 4180 quoting: a name may hold a comma, "Apotek 1, Torget"). */
const fieldsOf = (line: string): string[] | undefined => {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line.charAt(i);
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  return quoted ? undefined : [...fields, field];
};

/** One row's problem, or the organisation. */
const rowOf = (fields: readonly string[] | undefined): RegisteredOrganisation | string => {
  if (fields?.length !== 4) {
    return 'expected 4 fields (organisationNumber,parentOrganisationNumber,herId,name)';
  }
  const [number = '', parent = '', herId = '', name = ''] = fields.map((field) => field.trim());
  if (!isValidOrganisationNumber(number)) {
    return 'organisationNumber is not a valid organisation number';
  }
  if (parent !== '' && (!isValidOrganisationNumber(parent) || parent === number)) {
    return 'parentOrganisationNumber is not a valid organisation number (or names the row itself)';
  }
  if (herId !== '' && !HER_ID.test(herId)) {
    return 'herId must be 1 to 9 digits';
  }
  if (name === '' || name.length > MAX_NAME) {
    return `name must be 1 to ${MAX_NAME} characters`;
  }
  return {
    organisationNumber: number,
    ...(parent === '' ? {} : { parentOrganisationNumber: parent }),
    ...(herId === '' ? {} : { herId }),
    name,
  };
};

/** Parses the CSV text; `source` names the file in the problems (ConfigError, one line per bad row). */
export const parseOrganisationRegister = (text: string, source: string): OrganisationRegister => {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const where = (line: number): string => `ORGANISATION_REGISTER_FILE ${source} line ${line}`;
  if (lines[0]?.trim() !== REGISTER_HEADER) {
    throw new ConfigError([`${where(1)}: the header must be ${REGISTER_HEADER}`]);
  }
  const problems: string[] = [];
  const organisations: RegisteredOrganisation[] = [];
  const seen = new Set<string>();
  lines.slice(1).forEach((line, index) => {
    if (line.trim() === '') {
      return;
    }
    const row = rowOf(fieldsOf(line));
    if (typeof row === 'string') {
      problems.push(`${where(index + 2)}: ${row}`);
    } else if (seen.has(row.organisationNumber)) {
      problems.push(`${where(index + 2)}: organisation ${row.organisationNumber} is listed twice`);
    } else {
      seen.add(row.organisationNumber);
      organisations.push(row);
    }
  });
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return new OrganisationRegister(organisations);
};

/** Reads and parses the file; an unreadable file is a ConfigError naming it. */
export const loadOrganisationRegister = (file: string): OrganisationRegister => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError([`ORGANISATION_REGISTER_FILE ${file} cannot be read`]);
  }
  return parseOrganisationRegister(text, file);
};

/** As CSV, for `npm run seed` and the tests (the inverse of parseOrganisationRegister). */
export const organisationRegisterCsv = (organisations: readonly RegisteredOrganisation[]): string => {
  const quoted = (value: string): string => (/[",]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  const rows = organisations.map((o) =>
    [o.organisationNumber, o.parentOrganisationNumber ?? '', o.herId ?? '', quoted(o.name)].join(','),
  );
  return [REGISTER_HEADER, ...rows, ''].join('\n');
};
