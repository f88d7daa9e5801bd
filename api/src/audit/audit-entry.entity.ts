import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AuditAction, AuditVia } from './audit.enums';

/** One change to one row, written in the same transaction as the change itself. Append-only. */
@ObjectType()
@Entity({ tableName: 'audit_entries' })
@Index({ properties: ['entityType', 'entityId'] })
export class AuditEntry {
  @Field(() => ID)
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => Date)
  @Property({ type: 'datetime', index: true })
  at: Date = new Date();

  @Field(() => String, {
    description: 'Name of the API key (or the import/CLI user) that made the change.',
  })
  @Property({ type: 'string', length: 200, index: true })
  actor!: string;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  apiKeyId?: number | null;

  @Field(() => String)
  @Property({ type: 'string', length: 60 })
  entityType!: string;

  @Field(() => Int)
  @Property({ type: 'integer' })
  entityId!: number;

  @Field(() => AuditAction)
  @Enum({ items: () => AuditAction, index: true })
  action!: AuditAction;

  /** GraphQL field in `AuditResolver`, which leaves out what the reader may not see. */
  @Property({ type: 'json', nullable: true })
  before?: Record<string, unknown> | null;

  /** GraphQL field in `AuditResolver`, as `before`. */
  @Property({ type: 'json', nullable: true })
  after?: Record<string, unknown> | null;

  @Field(() => AuditVia)
  @Enum({ items: () => AuditVia, index: true })
  via!: AuditVia;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 100, nullable: true, index: true })
  requestId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Import run that made the change, if any.' })
  @Property({ type: 'integer', nullable: true, index: true })
  importRunId?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'UF the changed row belongs to (for scoping).',
  })
  @Property({ type: 'string', length: 2, nullable: true, index: true })
  stateUf?: string | null;
}
