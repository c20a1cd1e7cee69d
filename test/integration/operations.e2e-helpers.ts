import { sampleDosage, sampleMedication } from '../../src/medication-list/domain/medication-list.fixtures';
import { SqliteReadModelStore } from '../../src/read-models/read-model.store';

/* GraphQL documents and helpers shared by the operations e2e specs (issue 23: replicas, online rebuild). */

export const START = `mutation Start($input: StartMedicationInput!) { startMedication(input: $input) { version position } }`;
// A prescriber without a care relation reads by emergency access (audited): the simplest legal read here.
export const LIST = `query List($patientId: String!, $minPosition: String) {
  medicationList(patientId: $patientId, minPosition: $minPosition,
    emergency: { reason: "Akutt innlagt, bevisstløs", basisCode: HPAKUTT }) { version entries { entryId } }
}`;
export const LIST_CHANGED = `subscription L($patientId: String!) { medicationListChanged(patientId: $patientId) { version } }`;
export const LIST_PROJECTION = 'currentMedicationList.v2';

export const startInput = (patientId: string, entryId: string, expectedVersion?: number): Record<string, unknown> => ({
  patientId,
  entryId,
  commandId: `cmd-${entryId}`,
  medication: sampleMedication,
  use: '1',
  indication: 'Diabetes type 2',
  dosage: sampleDosage,
  startedOn: '2026-03-02',
  prescriptionType: 'E',
  ...(expectedVersion === undefined ? {} : { expectedVersion }),
});

export const started = (result: { data?: Record<string, unknown> | null }): { version: number; position: string } => {
  const payload = result.data?.startMedication as { version: number; position: string } | undefined;
  if (payload === undefined) {
    throw new Error(`startMedication failed: ${JSON.stringify(result)}`);
  }
  return payload;
};

/** Reads a read-model file after its service stopped (nothing is written). */
export const withReadModels = <T>(file: string, read: (store: SqliteReadModelStore) => T): T => {
  const store = new SqliteReadModelStore({ file, backgroundCheckpoints: false });
  try {
    return read(store);
  } finally {
    store.close();
  }
};

/** The list documents of a read-model file. */
export const listDocuments = (file: string): unknown[] =>
  withReadModels(file, (store) => store.listDocuments(LIST_PROJECTION));
