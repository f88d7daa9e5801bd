import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** What happened to one row of a bulk upsert (or would happen, with `dryRun`). */
export enum UpsertStatus {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  CONFLICT = 'CONFLICT',
  INVALID = 'INVALID',
  FORBIDDEN = 'FORBIDDEN',
}
registerEnumType(UpsertStatus, {
  name: 'UpsertStatus',
  description:
    'CREATED / UPDATED / UNCHANGED: applied (or would be, with dryRun). CONFLICT: stale or missing expectedVersion, see `current`. INVALID: see `errors`. FORBIDDEN: outside the key’s role or state scope.',
});

@ObjectType({ description: 'A problem with one field of one row.' })
export class FieldError {
  @Field(() => String, { description: 'Input field name, e.g. `ibgeCode`.' })
  field!: string;

  @Field(() => String)
  message!: string;
}

@ObjectType({ description: 'The outcome of one input row, by its position in `rows`.' })
export class UpsertRowResult {
  @Field(() => Int)
  rowIndex!: number;

  @Field(() => UpsertStatus)
  status!: UpsertStatus;

  @Field(() => ID, { nullable: true, description: 'Global id of the row (null if not written).' })
  id!: string | null;

  @Field(() => Int, { nullable: true, description: 'Version after the write: send it back next.' })
  version!: number | null;

  @Field(() => [FieldError])
  errors!: FieldError[];

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "On CONFLICT: the server's current values, flat, named like the input fields.",
  })
  current!: Record<string, unknown> | null;
}

@ObjectType({ description: 'Per-row results of a bulk upsert, and their counts.' })
export class UpsertResult {
  @Field(() => [UpsertRowResult])
  rows!: UpsertRowResult[];

  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => Int)
  unchanged!: number;

  @Field(() => Int)
  conflicts!: number;

  @Field(() => Int)
  invalid!: number;

  @Field(() => Int)
  forbidden!: number;
}

export function summarise(rows: UpsertRowResult[]): UpsertResult {
  const count = (status: UpsertStatus) => rows.filter((row) => row.status === status).length;
  return {
    rows,
    created: count(UpsertStatus.CREATED),
    updated: count(UpsertStatus.UPDATED),
    unchanged: count(UpsertStatus.UNCHANGED),
    conflicts: count(UpsertStatus.CONFLICT),
    invalid: count(UpsertStatus.INVALID),
    forbidden: count(UpsertStatus.FORBIDDEN),
  };
}
