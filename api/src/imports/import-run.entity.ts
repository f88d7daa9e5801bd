import { Entity, Enum, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';

export enum ImportStatus {
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  SKIPPED = 'SKIPPED',
  DRY_RUN = 'DRY_RUN',
  REVERTED = 'REVERTED',
}
registerEnumType(ImportStatus, { name: 'ImportStatus' });

/** The record of one import: what came in, from whom, what it changed and how it ended. */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'import_runs' })
export class ImportRun extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 50, index: true })
  kind!: string;

  @Field(() => [String])
  @Property({ type: 'json' })
  fileNames: string[] = [];

  @Field(() => String)
  @Property({ type: 'string', length: 64, index: true })
  sha256!: string;

  @Field(() => ImportStatus)
  @Enum({ items: () => ImportStatus, index: true })
  status!: ImportStatus;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  actor!: string;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Field(() => GraphQLJSONObject, {
    description: 'Counts per entity: created, updated, unchanged, deleted, skipped.',
  })
  @Property({ type: 'json' })
  counts: Record<string, unknown> = {};

  @Field(() => [String])
  @Property({ type: 'json' })
  errors: string[] = [];

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 10, nullable: true })
  asOf?: string | null;
}
