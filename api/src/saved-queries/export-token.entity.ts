import { Entity, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { SavedQuery } from './saved-query.entity';

/** A read-only token that publishes one saved query as a CSV link (for `=IMPORTDATA()`). */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'export_tokens' })
export class ExportToken extends BaseEntity {
  @ManyToOne(() => SavedQuery, { ref: true, index: true })
  savedQuery!: Ref<SavedQuery>;

  @Field(() => String)
  @Property({ type: 'string', length: 32, unique: true })
  prefix!: string;

  @Property({ type: 'string', length: 200, hidden: true })
  secretHash!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  createdBy!: string;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the link was last used (to within an hour); null if never.',
  })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;
}
