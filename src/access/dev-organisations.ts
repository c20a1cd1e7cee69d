import { MAX_NURSING_HOMES, syntheticCareProviders } from '../cli/synthetic-patients';
import { generateOrganisationNumber } from '../identifiers/norwegian-identifiers';
import { OrganisationRegister, type RegisteredOrganisation } from './organisation-register';

/**
 * The organisation register of development mode (AUTH_MODE=dev without ORGANISATION_REGISTER_FILE): the care
 * providers `npm run seed` creates (every nursing home it can make, and the home-care service), as sub-units of one
 * made-up municipality. So a dev token `--org <municipality> --child-org <home>` is trusted like a real one whose
 * register says so; any other child is refused. Synthetic numbers only: never real organisations.
 */

export const DEV_MUNICIPALITY: RegisteredOrganisation = {
  organisationNumber: generateOrganisationNumber(97_400_000) ?? generateOrganisationNumber(97_400_001) ?? '',
  name: 'Nordby kommune (synthetic)',
};

export const devOrganisations = (): RegisteredOrganisation[] => [
  DEV_MUNICIPALITY,
  ...syntheticCareProviders(MAX_NURSING_HOMES).map((provider) => ({
    organisationNumber: provider.organisationNumber,
    parentOrganisationNumber: DEV_MUNICIPALITY.organisationNumber,
    name: provider.name,
  })),
];

export const devOrganisationRegister = (): OrganisationRegister => new OrganisationRegister(devOrganisations());
