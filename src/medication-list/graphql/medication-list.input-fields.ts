import { applyDecorators } from '@nestjs/common';
import { Field, Float, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  IsISO8601,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { DateTimeScalar } from '../../shared/date-time.scalar';
import { isMultiLineField } from '../../shared/text/free-text';
import { ID_PATTERN, MAX_ID } from '../domain/medication-list.validation';

/**
 * The field vocabulary of the list mutations' inputs (medication-list.inputs.ts): one decorator per kind of
 * field, so each input reads as a list of clinical fields. class-validator checks shape only; the decider
 * checks meaning (codes, calendar dates, ids, limits) with typed errors. Times stay ISO strings, as in the events.
 */

// Caps that only keep absurd payloads out; the decider enforces the clinical limits.
const MAX_TEXT = 2000;
const MAX_CODE = 20;
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = 'RFC 3339 date-time with Z or offset, e.g. 2026-03-02T09:15:00Z';

/** Options of the field decorators below. */
export interface FieldOptions {
  readonly description?: string;
  readonly nullable?: boolean;
}

// GraphQL nullable and class-validator optional go together: a nullable field may be omitted or null.
const optional = (nullable: boolean | undefined): PropertyDecorator[] => (nullable === true ? [IsOptional()] : []);

// The id rule in words and as a pattern, for the schema; the two checks below say which half a rejected id broke.
const ID_RULE = `1 to ${MAX_ID} characters: letters A–Z a–z, digits, . _ : -; pattern ${ID_PATTERN.source}`;
const ID_CHARACTERS = /^[A-Za-z0-9._:-]*$/;

/**
 * A list id (entry, prescription, dispensing …) or command id: an opaque business key. Its pattern and maximum length
 * are checked here and stated in the schema, so a client learns the rule from the description and a rejected id's
 * error says which limit it broke (never the id). The decider checks the same pattern (assertId).
 */
export const IdField = ({ description, nullable }: FieldOptions = {}) =>
  applyDecorators(
    Field(() => ID, { description: description === undefined ? ID_RULE : `${description} (${ID_RULE})`, nullable }),
    ...optional(nullable),
    IsString(),
    MinLength(1, { message: '$property must not be empty' }),
    MaxLength(MAX_ID, { message: `$property must be at most ${MAX_ID} characters` }),
    Matches(ID_CHARACTERS, { message: '$property may hold only letters A–Z a–z, digits and . _ : -' }),
  );

/** An HPR number, HER-id or organisation number: a String whose check is the decider's. */
export const RegistryNumberField = (description: string, { nullable }: Pick<FieldOptions, 'nullable'> = {}) =>
  applyDecorators(
    Field(() => String, { description, nullable }),
    ...optional(nullable),
    IsString(),
    MaxLength(MAX_ID),
  );

/** `YYYY-MM-DD`; whether the date exists is the decider's (INVALID_DATE). */
export const DateField = ({ description = 'YYYY-MM-DD', nullable }: FieldOptions = {}) =>
  applyDecorators(
    Field(() => String, { description, nullable }),
    ...optional(nullable),
    Matches(DATE_SHAPE),
  );

/**
 * An instant: the strict DateTime scalar (RFC 3339 with Z or offset, a real calendar date and time; issue 22), so a
 * malformed one is refused before the resolver runs (literal: validation; variable: HTTP 400). The string arrives
 * as sent, offset kept; the decider checks it again (INVALID_DATE) for commands from other edges.
 */
export const DateTimeField = ({ description = DATE_TIME, nullable }: FieldOptions = {}) =>
  applyDecorators(
    Field(() => DateTimeScalar, { description, nullable }),
    ...optional(nullable),
    IsISO8601({ strict: true, strictSeparator: true }),
  );

const ONE_LINE = 'plain text on one line: no control or bidirectional override characters';
const SEVERAL_LINES = 'plain text: newline and tab allowed, no other control or bidirectional override characters';

/**
 * Free text (reason, note, indication); the decider applies the clinical length limits. The text rule (free-text.ts)
 * is the pipe's; the description states it, several lines or one as the field's name says (isMultiLineField).
 */
export const TextField =
  ({ description, nullable }: FieldOptions = {}): PropertyDecorator =>
  (target, key) => {
    const rule = isMultiLineField(String(key)) ? SEVERAL_LINES : ONE_LINE;
    applyDecorators(
      Field(() => String, { description: description === undefined ? rule : `${description} (${rule})`, nullable }),
      ...optional(nullable),
      IsString(),
      MaxLength(MAX_TEXT),
    )(target, key);
  };

/** A code of a national code list, named in the description; the decider rejects others with UNKNOWN_CODE. */
export const CodeField = (description: string) =>
  applyDecorators(
    Field(() => String, { description }),
    IsString(),
    MaxLength(MAX_CODE),
  );

/** A whole number ≥ 0. */
export const CountField = ({ description, nullable }: FieldOptions = {}) =>
  applyDecorators(
    Field(() => Int, { description, nullable }),
    ...optional(nullable),
    IsInt(),
    Min(0),
  );

/** A nested input, validated and transformed into its class. */
export const NestedField = (type: () => new () => object, { description, nullable }: FieldOptions = {}) =>
  applyDecorators(Field(type, { description, nullable }), ...optional(nullable), ValidateNested(), Type(type));

/** The fields every list mutation shares: whose list, the version the client saw, and a retry-safe id. */
@InputType({ isAbstract: true })
export abstract class ListCommandInput {
  @Field({ description: 'fødselsnummer, D-, H- or synthetic number: 11 digits with valid check digits; never echoed' })
  @IsString()
  @MaxLength(MAX_ID)
  patientId!: string;

  @CountField({ nullable: true, description: 'the list version the client saw; a stale one gets CONFLICT' })
  expectedVersion?: number | null;

  @IdField({ nullable: true, description: 'a retry with the same id appends nothing and gets the same result' })
  commandId?: string | null;
}

/** An amount with its unit, e.g. 100 tablett. */
@InputType('QuantityInput')
export class QuantityInput {
  @Field(() => Float)
  @IsNumber()
  value!: number;

  @Field()
  @IsString()
  @MaxLength(MAX_TEXT)
  unit!: string;
}
