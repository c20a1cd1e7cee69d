import type { DevTokenOptions } from '../access/tokens/dev-keys';
import { isValidHprNumber, isValidOrganisationNumber } from '../identifiers/norwegian-identifiers';
import type { WardIdentity } from './ward-sessions';

/**
 * The dev sign-in form of the ward page (AUTH_MODE=dev only): "Organisasjonsnummer" and "Avdeling" sign a nurse in
 * (role care, the unit claim as `npm run token -- --role care --unit …` sets it); "HPR-nummer" alone signs a
 * prescriber in (the prescriber's view of a unit). The answer is a dev token like `npm run token` makes, verified by
 * the same verifier as any other, so the page gets no access the API would not give. Pure.
 */
export interface DevLoginForm {
  readonly organisationNumber?: string;
  readonly unit?: string;
  readonly hprNumber?: string;
}

/** Which fields were wrong, by name (for the form's error messages); never their values. */
export type DevLoginResult =
  | { readonly ok: true; readonly token: DevTokenOptions; readonly identity: WardIdentity }
  | { readonly ok: false; readonly invalid: readonly ('organisationNumber' | 'unit' | 'hprNumber')[] };

/** A nurse's shift: the dev token (and so the session) lasts this long. */
export const DEV_SESSION_SECONDS = 8 * 60 * 60;

/** The unit claim's own rule (caller.ts): letters, digits, space and `._-`, at most 100. */
const UNIT = /^[\p{L}\p{N} ._-]{1,100}$/u;

const text = (value: unknown): string | undefined => {
  const trimmed = typeof value === 'string' ? value.trim() : undefined;
  return trimmed === '' ? undefined : trimmed;
};

export const parseDevLoginForm = (body: unknown): DevLoginForm => {
  const field = (name: string): string | undefined =>
    typeof body === 'object' && body !== null ? text(Reflect.get(body, name)) : undefined;
  const organisationNumber = field('organisationNumber');
  const unit = field('unit');
  const hprNumber = field('hprNumber');
  return {
    ...(organisationNumber === undefined ? {} : { organisationNumber }),
    ...(unit === undefined ? {} : { unit }),
    ...(hprNumber === undefined ? {} : { hprNumber }),
  };
};

export const devLogin = (form: DevLoginForm): DevLoginResult => {
  const { organisationNumber, unit, hprNumber } = form;
  const invalid = [
    ...(organisationNumber !== undefined && !isValidOrganisationNumber(organisationNumber)
      ? (['organisationNumber'] as const)
      : []),
    ...(organisationNumber === undefined && hprNumber === undefined ? (['organisationNumber'] as const) : []),
    ...(unit !== undefined && (!UNIT.test(unit) || organisationNumber === undefined) ? (['unit'] as const) : []),
    ...(hprNumber !== undefined && !isValidHprNumber(hprNumber) ? (['hprNumber'] as const) : []),
  ];
  if (invalid.length > 0) {
    return { ok: false, invalid };
  }
  const common = { level: 4, expiresInSeconds: DEV_SESSION_SECONDS, clientId: 'pll-ward-dev' } as const;
  if (organisationNumber === undefined) {
    const hpr = hprNumber ?? '';
    return {
      ok: true,
      token: { ...common, role: 'prescriber', hpr },
      identity: { role: 'prescriber', hprNumber: hpr },
    };
  }
  return {
    ok: true,
    token: {
      ...common,
      role: 'care',
      org: organisationNumber,
      ...(unit === undefined ? {} : { unit }),
      ...(hprNumber === undefined ? {} : { hpr: hprNumber }),
    },
    identity: {
      role: 'care',
      organisationNumber,
      ...(unit === undefined ? {} : { unit }),
      ...(hprNumber === undefined ? {} : { hprNumber }),
    },
  };
};
