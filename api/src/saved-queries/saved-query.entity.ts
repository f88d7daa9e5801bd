import { Entity, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';

/** A named GraphQL query kept in the hub, shared with a state's staff (or everyone when no UF). */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'saved_queries' })
export class SavedQuery extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 200, unique: true })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => String)
  @Property({ type: 'text' })
  query!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @Property({ type: 'json', nullable: true })
  variables?: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description: 'UF the query is shared with; null = everyone.',
  })
  @Property({ type: 'string', length: 2, nullable: true, index: true })
  stateUf?: string | null;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  createdBy!: string;
}
