import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { ExportToken } from './export-token.entity';
import { SavedQuery } from './saved-query.entity';

@ObjectType()
export class SavedQueryConnection extends Connection(SavedQuery) {}

@InputType({ description: 'Which saved queries to list.' })
export class SavedQueryFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Part of the name or description (case-insensitive).',
  })
  search?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Only queries shared with these UFs; use "" for the national ones.',
  })
  stateUf?: string[] | null;
}

@InputType()
export class CreateSavedQueryInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { description: 'A GraphQL `query` whose first connection becomes rows.' })
  query!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Default variable values.' })
  variables?: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description: 'UF to share with; null shares nationally (unscoped keys only).',
  })
  stateUf?: string | null;
}

@InputType({ description: 'Fields left out (undefined) keep their value; null clears.' })
export class UpdateSavedQueryInput {
  @Field(() => String, { description: 'Current name of the query to change.' })
  name!: string;

  @Field(() => Int, { nullable: true, description: 'Fail with CONFLICT when the row moved on.' })
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true })
  newName?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  query?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true })
  variables?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true })
  stateUf?: string | null;
}

@ObjectType({ description: 'A new CSV link; the token is shown only this once.' })
export class CreatedExportToken {
  @Field(() => String, { description: 'The secret token (`rx_<prefix>_<secret>`).' })
  token!: string;

  @Field(() => String, { description: 'Absolute CSV URL for `=IMPORTDATA()`.' })
  url!: string;

  @Field(() => ExportToken)
  exportToken!: ExportToken;
}
