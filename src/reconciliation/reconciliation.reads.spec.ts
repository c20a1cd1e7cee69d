import {
  GP_WORKLIST_PROJECTION,
  membershipDocumentId,
  patientDocumentId,
  type GpWorklistDocument,
  type WorklistPatientDocument,
} from '../../projections/gp-worklist/gp-worklist.projection';
import { SqliteReadModelStore } from '../read-models/read-model.store';
import { InMemoryEventStore } from '../shared/event-sourcing/in-memory.event-store';
import { ReconciliationReads } from './reconciliation.reads';

const GP = '9144889';
const OTHER_GP = '5550001';
const listId = (n: number): string => `a1b2c3d4-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A doctor with 450 lists (more than one chunk of membership documents): every third has an open discrepancy,
 * every fifth has since been handed to another doctor, and the other doctor has lists of their own in between.
 */
const worklistStore = () => {
  const store = new SqliteReadModelStore({ file: ':memory:' });
  const documents = new Map<string, GpWorklistDocument>();
  const patients: WorklistPatientDocument[] = [];
  for (let n = 0; n < 450; n += 1) {
    const responsible = n % 5 === 0 ? OTHER_GP : GP;
    const patient: WorklistPatientDocument = {
      kind: 'patient',
      listId: listId(n),
      patientId: null,
      multidoseDoctorHpr: null,
      lastPrescriberHpr: responsible,
      open:
        n % 3 === 0
          ? [
              {
                key: `k${n}`,
                code: 'D5',
                severity: 'warning',
                entryId: null,
                prescriptionId: null,
                dispensingId: null,
                feedSource: 'eprescription',
                detectedAt: '2026-03-01T13:00:00.000+01:00',
              },
            ]
          : [],
      lastPosition: String(n),
    };
    patients.push(patient);
    documents.set(patientDocumentId(listId(n)), patient);
    documents.set(membershipDocumentId(GP, listId(n)), {
      kind: 'member',
      hprNumber: GP,
      listId: listId(n),
      lastPosition: String(n),
    });
    if (responsible === OTHER_GP || n % 7 === 0) {
      documents.set(membershipDocumentId(OTHER_GP, listId(n)), {
        kind: 'member',
        hprNumber: OTHER_GP,
        listId: listId(n),
        lastPosition: String(n),
      });
    }
  }
  store.applyBatch(GP_WORKLIST_PROJECTION, documents, 1000n);
  const reads = new ReconciliationReads(new InMemoryEventStore(), store);
  return { store, reads, patients };
};

describe('ReconciliationReads.gpWorklist', () => {
  const { store, reads, patients } = worklistStore();
  afterAll(() => store.close());

  it.each([1, 7, 20, 100])(
    'pages (first = %i) through the responsible patients with open discrepancies in list-id order',
    (first) => {
      const expected = patients.filter((p) => p.lastPrescriberHpr === GP && p.open.length > 0).map((p) => p.listId);
      const seen: string[] = [];
      let page = reads.gpWorklist(GP, first);
      for (;;) {
        expect(page.patients).toHaveLength(Math.min(first, expected.length - seen.length));
        expect(page.hasNextPage).toBe(expected.length - seen.length > first);
        seen.push(...page.patients.map((p) => p.listId));
        if (!page.hasNextPage) {
          break;
        }
        expect(page.endCursor).toBe(seen.at(-1));
        page = reads.gpWorklist(GP, first, page.endCursor);
      }
      expect(expected.length).toBeGreaterThan(100);
      expect(seen).toEqual(expected);
    },
  );

  it('says there is no next page when the last responsible patient ends the page', () => {
    const last = patients.filter((p) => p.lastPrescriberHpr === OTHER_GP && p.open.length > 0);
    const page = reads.gpWorklist(OTHER_GP, last.length);
    expect(page.patients.map((p) => p.listId)).toEqual(last.map((p) => p.listId));
    expect(page.hasNextPage).toBe(false);
    expect(reads.gpWorklist(OTHER_GP, 1, page.endCursor)).toEqual({
      hprNumber: OTHER_GP,
      patients: [],
      hasNextPage: false,
    });
  });

  it('is empty for a doctor responsible for nobody', () => {
    expect(reads.gpWorklist('1234567')).toEqual({ hprNumber: '1234567', patients: [], hasNextPage: false });
  });
});
