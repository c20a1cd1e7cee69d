import { MAX_NURSING_HOMES, syntheticCareProviders, syntheticPharmacies } from '../cli/synthetic-patients';
import { generateOrganisationNumber } from '../identifiers/norwegian-identifiers';
import { OrganisationRegister, type RegisteredOrganisation } from './organisation-register';

/**
 * The organisation register of development mode (AUTH_MODE=dev without ORGANISATION_REGISTER_FILE): the care
 * providers `npm run seed` creates (every nursing home it can make, and the home-care service), as sub-units of one
 * made-up municipality. So a dev token `--org <municipality> --child-org <home>` is trusted like a real one whose
 * register says so; any other child is refused. Also the seed's pharmacies with their HER-ids, under one made-up
 * chain (`--role pharmacy --org <chain> --child-org <pharmacy>` dispenses as that pharmacy), and a made-up national
 * feed (`--role feed --org <feed>`). Synthetic numbers only: never real organisations.
 */

export const DEV_MUNICIPALITY: RegisteredOrganisation = {
  organisationNumber: generateOrganisationNumber(97_400_000) ?? generateOrganisationNumber(97_400_001) ?? '',
  name: 'Nordby kommune (synthetic)',
};

export const DEV_PHARMACY_CHAIN: RegisteredOrganisation = {
  organisationNumber: generateOrganisationNumber(98_000_000) ?? generateOrganisationNumber(98_000_001) ?? '',
  name: 'Apotekkjeden AS (synthetic)',
};

export const DEV_FEED: RegisteredOrganisation = {
  organisationNumber: generateOrganisationNumber(98_050_000) ?? generateOrganisationNumber(98_050_001) ?? '',
  name: 'Reseptformidleren (synthetic feed)',
};

export const devOrganisations = (): RegisteredOrganisation[] => [
  DEV_MUNICIPALITY,
  DEV_PHARMACY_CHAIN,
  DEV_FEED,
  ...syntheticPharmacies().map((pharmacy) => ({
    organisationNumber: pharmacy.organisationNumber,
    parentOrganisationNumber: DEV_PHARMACY_CHAIN.organisationNumber,
    herId: pharmacy.herId,
    name: pharmacy.name,
  })),
  ...syntheticCareProviders(MAX_NURSING_HOMES).map((provider) => ({
    organisationNumber: provider.organisationNumber,
    parentOrganisationNumber: DEV_MUNICIPALITY.organisationNumber,
    name: provider.name,
  })),
];

export const devOrganisationRegister = (): OrganisationRegister => new OrganisationRegister(devOrganisations());
