import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { Role } from './auth.enums';

/** An API key: only a short public prefix is kept in clear, the secret is stored as a hash. */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'api_keys' })
export class ApiKey extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Field(() => String, {
    description: 'Public prefix of the key, enough to recognise it in a list.',
  })
  @Property({ type: 'string', length: 32, unique: true })
  prefix!: string;

  @Property({ type: 'string', length: 200, hidden: true })
  secretHash!: string;

  @Field(() => Role)
  @Enum({ items: () => Role })
  role!: Role;

  @Field(() => String, {
    nullable: true,
    description: 'UF the key is limited to; null = every state.',
  })
  @Property({ type: 'string', length: 2, nullable: true })
  stateUf?: string | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null;
}
