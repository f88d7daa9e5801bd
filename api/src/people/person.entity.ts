import { Entity, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';

/**
 * A person of the network. `email` and `phone` are personal data: they are not GraphQL fields
 * here, a field resolver exposes them only to roles allowed to see them.
 */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'people' })
export class Person extends BaseEntity {
  @Field(() => String, { description: 'Natural key used by imports and bulk upserts.' })
  @Property({ type: 'string', length: 50, unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 300, index: true })
  name!: string;

  @Property({ type: 'string', length: 300, index: true })
  nameSearch!: string;

  @Property({ type: 'string', length: 300, nullable: true })
  email?: string | null;

  @Property({ type: 'string', length: 50, nullable: true })
  phone?: string | null;

  @Field(() => Boolean, { description: 'True for fictional people of the demo network.' })
  @Property({ type: 'boolean', default: false, index: true })
  demo: boolean = false;
}
