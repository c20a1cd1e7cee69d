import { ConfigError } from '../config/config-error';
import { MAX_NURSING_HOMES, syntheticCareProviders, syntheticPharmacies } from '../cli/synthetic-patients';
import {
  DEV_FEED,
  DEV_MUNICIPALITY,
  DEV_PHARMACY_CHAIN,
  devOrganisationRegister,
  devOrganisations,
} from './dev-organisations';
import { REGISTER_HEADER, organisationRegisterCsv, parseOrganisationRegister } from './organisation-register';

const MUNICIPALITY = '974633574';
const HOME = '123456785';
const PHARMACY = '987654325';

const csv = (...rows: string[]): string => [REGISTER_HEADER, ...rows].join('\n');

const problemsOf = (text: string): readonly string[] => {
  try {
    parseOrganisationRegister(text, 'orgs.csv');
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
};

describe('organisation register', () => {
  const register = parseOrganisationRegister(
    csv(
      `${MUNICIPALITY},,,Nordby kommune`,
      `${HOME},${MUNICIPALITY},,Solbakken sykehjem`,
      `${PHARMACY},,81235,"Apotek 1, Torget"`,
    ),
    'orgs.csv',
  );

  it('trusts a child only under the parent the register names', () => {
    expect(register.isSubUnitOf(HOME, MUNICIPALITY)).toBe(true);
    expect(register.isSubUnitOf(HOME, PHARMACY)).toBe(false);
    expect(register.isSubUnitOf(HOME, undefined)).toBe(false);
    expect(register.isSubUnitOf(MUNICIPALITY, HOME)).toBe(false);
  });

  it('names organisations and gives HER-ids (quoted names with commas too)', () => {
    expect(register.nameOf(HOME)).toBe('Solbakken sykehjem');
    expect(register.find(PHARMACY)).toEqual({ organisationNumber: PHARMACY, herId: '81235', name: 'Apotek 1, Torget' });
    expect(register.nameOf('999999999')).toBeUndefined();
  });

  it.each([
    [
      'a bad organisation number',
      csv(`${MUNICIPALITY},,,A`, '123456789,,,B'),
      ['ORGANISATION_REGISTER_FILE orgs.csv line 3: organisationNumber is not a valid organisation number'],
    ],
    [
      'a bad parent',
      csv(`${HOME},123456789,,A`),
      [
        'ORGANISATION_REGISTER_FILE orgs.csv line 2: parentOrganisationNumber is not a valid organisation number (or names the row itself)',
      ],
    ],
    [
      'a bad HER-id',
      csv(`${HOME},,HER1,A`),
      ['ORGANISATION_REGISTER_FILE orgs.csv line 2: herId must be 1 to 9 digits'],
    ],
    [
      'a missing field',
      csv(`${HOME},,A`),
      [
        'ORGANISATION_REGISTER_FILE orgs.csv line 2: expected 4 fields (organisationNumber,parentOrganisationNumber,herId,name)',
      ],
    ],
    [
      'a duplicate',
      csv(`${HOME},,,A`, '', `${HOME},,,B`),
      [`ORGANISATION_REGISTER_FILE orgs.csv line 4: organisation ${HOME} is listed twice`],
    ],
    [
      'another header',
      'orgnr,name\n',
      [
        'ORGANISATION_REGISTER_FILE orgs.csv line 1: the header must be organisationNumber,parentOrganisationNumber,herId,name',
      ],
    ],
  ])('refuses %s, naming the line', (_name, text, problems) => {
    expect(problemsOf(text)).toEqual(problems);
  });

  it('writes what it reads (the CSV of the dev register round-trips)', () => {
    const organisations = devOrganisations();
    expect(parseOrganisationRegister(organisationRegisterCsv(organisations), 'dev').size).toBe(organisations.length);
  });

  it('seeds the dev register with the seed data’s care providers under one municipality', () => {
    const dev = devOrganisationRegister();
    const homes = devOrganisations().filter((o) => o.parentOrganisationNumber === DEV_MUNICIPALITY.organisationNumber);
    expect(homes.map((home) => home.name)).toEqual(
      syntheticCareProviders(MAX_NURSING_HOMES).map((provider) => provider.name),
    );
    expect(homes.every((home) => dev.isSubUnitOf(home.organisationNumber, DEV_MUNICIPALITY.organisationNumber))).toBe(
      true,
    );
  });

  it('seeds the seed data’s pharmacies, with their HER-ids, under one chain, and a feed organisation', () => {
    const dev = devOrganisationRegister();
    const pharmacies = syntheticPharmacies();
    expect(pharmacies.every((p) => dev.isSubUnitOf(p.organisationNumber, DEV_PHARMACY_CHAIN.organisationNumber))).toBe(
      true,
    );
    expect(pharmacies.map((p) => dev.find(p.organisationNumber)?.herId)).toEqual(pharmacies.map((p) => p.herId));
    expect(dev.find(DEV_FEED.organisationNumber)?.parentOrganisationNumber).toBeUndefined();
    expect(new Set(devOrganisations().map((o) => o.organisationNumber)).size).toBe(devOrganisations().length);
  });
});
