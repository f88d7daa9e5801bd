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

  /**
   * The state of the state-scoped key that created the person. People belong to the states of
   * their mandates; until they hold one, to this state (null: made by an unscoped key, an admin or
   * an import). It lets a COSEMS read back the contact of someone it has just added, and nobody
   * else's (see `people/person-states.ts`).
   */
  @Property({ type: 'string', length: 2, nullable: true })
  homeUf?: string | null;

  @Field(() => Boolean, { description: 'True for fictional people of the demo network.' })
  @Property({ type: 'boolean', default: false, index: true })
  demo: boolean = false;
}
