import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, isInputObjectType } from 'graphql';
import { codeLists } from './medication-list.codes';
import type { CodeList } from './medication-list.codes';

/*
 * Given the committed docs/schema.graphql (a test keeps it equal to the running schema), then every input field
 * that accepts a closed code list tells a client each code: from introspection and the schema file alone (issue 22).
 */

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'schema.graphql'), 'utf8'));

const closedInputFields: ReadonlyArray<readonly [string, string, CodeList]> = [
  ['StartMedicationInput', 'use', codeLists.use],
  ['StartMedicationInput', 'prescriptionType', codeLists.prescriptionType],
  ['FixedDoseInput', 'partOfDay', codeLists.partOfDay],
  ['DosagePeriodInput', 'weekdays', codeLists.weekday],
  ['DiscontinueMedicationInput', 'reasonCode', codeLists.discontinuationReason],
  ['RecallPrescriptionInput', 'reasonCode', codeLists.recallReason],
  ['AskMultidoseQuestionInput', 'questionCode', codeLists.multidoseQuestion],
  ['AnswerMultidoseQuestionInput', 'answerCode', codeLists.multidoseAnswer],
  ['MarkListReviewedInput', 'kind', codeLists.reviewKind],
];

describe('closed code lists are discoverable from the schema', () => {
  it.each(closedInputFields)('%s.%s lists every accepted code in its description', (typeName, fieldName, list) => {
    const type = schema.getType(typeName);
    if (!isInputObjectType(type)) {
      throw new Error(`${typeName} is not an input type`);
    }
    const description = type.getFields()[fieldName]?.description ?? '';
    for (const { code } of list.entries) {
      expect(description).toMatch(new RegExp(`(^|[^A-Za-z0-9-])${code}([^A-Za-z0-9-]|$)`));
    }
  });
});
