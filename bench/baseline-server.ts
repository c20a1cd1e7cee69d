import Database from 'better-sqlite3';
import Fastify from 'fastify';
import mercurius from 'mercurius';
import type { CurrentMedicationListDocument } from '../projections/current-medication-list/current-medication-list.document';
import { emptyCurrentMedicationList } from '../projections/current-medication-list/current-medication-list.document';
import { currentMedicationListProjection } from '../projections/current-medication-list/current-medication-list.projection';
import { parsePatientId } from '../src/identifiers/norwegian-identifiers';
import { toMedicationListGql } from '../src/medication-list/graphql/medication-list.mapper';
import { patientStreamId } from '../src/medication-list/patient-stream';

/*
 * B3's baseline: the least a server can do to answer the benchmark's query from the same read model. Plain
 * Fastify + Mercurius (no NestJS, no validation pipe, no metrics, no auth or audit), one prepared SELECT and
 * JSON.parse per request, and the service's own pure mapper so the answer is the same. Only the fields the
 * query selects are in its schema.
 *
 *   node bench/baseline-server.js <read-models.db> <port>     (PATIENT_ID_SECRET from the environment)
 */

const SCHEMA = `
  enum MultidosePacking { NOT_IN_MULTIDOSE OUTSIDE_MULTIDOSE PACKED }
  enum ReviewStatus { NEVER NOT_REVIEWED REVIEWED }
  type Medication { displayName: String! atcCode: String festId: String }
  type LinkedPrescription { prescriptionId: ID! status: String! expiresOn: String! }
  type MedicationEntry {
    entryId: ID! status: String! startedOn: String! dosageText: String! useLabel: String!
    multidose: MultidosePacking! medication: Medication! prescription: LinkedPrescription
  }
  type DiscontinuedEntry { entryId: ID! discontinuedAt: String! reasonLabel: String! medication: Medication! }
  type ListReview { status: ReviewStatus! reviewedAt: String }
  type ListChange { at: String! type: String! summary: String! }
  type MedicationList {
    version: Int! position: String entries: [MedicationEntry!]! discontinued: [DiscontinuedEntry!]!
    review: ListReview! recentChanges: [ListChange!]!
  }
  type Query { medicationList(patientId: String!): MedicationList! }
`;

const main = async (): Promise<void> => {
  const [file, portText] = process.argv.slice(2);
  const secret = process.env.PATIENT_ID_SECRET ?? '';
  if (file === undefined || portText === undefined || secret === '') {
    throw new Error('usage: baseline-server <read-models.db> <port>, with PATIENT_ID_SECRET set');
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const select = db.prepare<[string, string], { body: string }>(
    'SELECT body FROM documents WHERE projection = ? AND id = ?',
  );
  const projection = currentMedicationListProjection.name;
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema: SCHEMA,
    resolvers: {
      Query: {
        medicationList: (_root: unknown, args: { patientId: string }) => {
          const streamId = patientStreamId(parsePatientId(args.patientId).value, secret);
          const row = select.get(projection, streamId);
          const document =
            row === undefined
              ? emptyCurrentMedicationList(streamId)
              : (JSON.parse(row.body) as CurrentMedicationListDocument);
          return toMedicationListGql(document, new Date());
        },
      },
    },
  });
  app.get('/health', () => ({ status: 'ok' }));
  await app.listen({ port: Number(portText), host: '127.0.0.1' });
  const stop = (): void => {
    void app.close().then(() => {
      db.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
};

main().catch((error: unknown) => {
  process.stderr.write(
    `baseline server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
