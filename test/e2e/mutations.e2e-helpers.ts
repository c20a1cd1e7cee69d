import { generatePersonNumber } from '../../src/identifiers/norwegian-identifiers';
import { DEV_PHARMACY, type GraphqlResponse, type RequestOptions, bootTestApp } from './app.e2e-helpers';

/**
 * Shared by the mutation end-to-end specs: the shared e2e app (app.e2e-helpers.ts: the real AppModule over real
 * HTTP, SQLite in a temp dir, dev tokens) with a fixed clock, a GraphQL client that keeps every response text and
 * log line (to prove no patient id leaks), and one document per mutation that selects the whole payload.
 */

/** The fixed "now" of the mutation specs; every clinical time in them lies before it, within 90 days. */
export const NOW = '2026-04-10T12:00:00.000Z';

export type { GraphqlResponse };

/** A running app and its client (requests act as the default prescriber unless `options.as` says otherwise). */
export interface E2eApp {
  readonly graphql: (
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ) => Promise<GraphqlResponse>;
  /** every response text so far */
  readonly responses: string[];
  /** every log line so far */
  readonly logLines: string[];
  readonly close: () => Promise<void>;
}

/** Boots the AppModule on an ephemeral port with a fresh SQLite data dir and the fixed clock. */
export const startApp = async (): Promise<E2eApp> => {
  const t = await bootTestApp({ now: NOW });
  return { graphql: t.graphql, responses: t.responses, logLines: t.logLines, close: t.close };
};

/** A synthetic test number (month + 80) with valid check digits, born on `day` March 1947. */
export const syntheticPatientId = (day: number): string => {
  for (let individual = 100; individual < 500; individual += 1) {
    const id = generatePersonNumber({ day, month: 3, year: 1947 }, individual, { monthOffset: 80 });
    if (id !== undefined) {
      return id;
    }
  }
  throw new Error('no synthetic number for this day');
};

/** The list fields the mutation specs look at. */
export const LIST_FIELDS = /* GraphQL */ `
  fragment ListFields on MedicationList {
    version
    position
    entries {
      entryId
      status
      use
      pausedAt
      dosageEffectiveFrom
      dosage {
        shortCode
      }
      multidose
      prescription {
        prescriptionId
        status
        dispensingsAllowed
        dispensingsLeft
        renewsPrescriptionId
        recallReasonCode
      }
      lastDispensing {
        dispensingId
        prescriptionId
        quantity {
          value
          unit
        }
      }
    }
    discontinued {
      entryId
      reasonCode
      reasonLabel
      note
      discontinuedAt
    }
    retracted {
      entryId
      reason
    }
    multidose {
      responsibleDoctorHpr
      pharmacyHerId
      from
      lastPacking {
        packingId
        firstDoseOn
        lastDoseOn
      }
    }
    openQuestions {
      questionId
      entryId
      code
    }
    review {
      status
      kind
      notReviewedReason
    }
  }
`;

/** The document of one mutation (`startMedication` → `StartMedicationInput`), selecting the whole payload. */
export const mutationDocument = (mutation: string): string => {
  const inputType = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
  const entryId = mutation === 'startMedication' ? 'entryId' : '';
  return `mutation Run($input: ${inputType}!) {
    ${mutation}(input: $input) { version position alreadyApplied ${entryId} list { ...ListFields } }
  }
  ${LIST_FIELDS}`;
};

/** The payload of a mutation, as the specs read it. */
export interface Payload {
  readonly version: number;
  readonly position: string | null;
  readonly alreadyApplied: boolean;
  readonly entryId?: string;
  readonly list: Record<string, unknown> & { readonly version: number };
}

/** Runs one mutation and returns the raw response and, when there was no error, its payload. */
export const mutate = async (
  app: E2eApp,
  mutation: string,
  input: Record<string, unknown>,
): Promise<{ readonly response: GraphqlResponse; readonly payload?: Payload }> => {
  // A dispensing and a multidose question are the pharmacy's, attributed to its HER-id from the register (issue 15).
  const response = await app.graphql(
    mutationDocument(mutation),
    { input },
    mutation === 'recordDispensing' || mutation === 'askMultidoseQuestion' ? { as: DEV_PHARMACY } : {},
  );
  const payload = response.body.data?.[mutation] as Payload | null | undefined;
  return { response, payload: payload ?? undefined };
};
