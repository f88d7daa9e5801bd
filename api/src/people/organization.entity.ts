import { Entity, Enum, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { State } from '../territory/state.entity';
import { OrganizationKind } from './people.enums';

@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'organizations' })
export class Organization extends BaseEntity {
  @Field(() => String, { description: 'Natural key, e.g. CONASEMS, COSEMS-RS, SES-MT.' })
  @Property({ type: 'string', length: 50, unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 300 })
  name!: string;

  @Field(() => OrganizationKind)
  @Enum({ items: () => OrganizationKind, index: true })
  kind!: OrganizationKind;

  @ManyToOne(() => State, { ref: true, nullable: true, index: true })
  state?: Ref<State> | null;
}
