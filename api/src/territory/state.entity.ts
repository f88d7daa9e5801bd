import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { GeographicRegion } from './territory.enums';

@ObjectType({
  implements: [Node, BaseEntity],
  description: 'A federative unit (UF): 26 states and the Federal District.',
})
@Entity({ tableName: 'states' })
export class State extends BaseEntity {
  @Field(() => String, { description: 'Two-letter acronym, e.g. RS.' })
  @Property({ type: 'string', length: 2, unique: true })
  uf!: string;

  @Field(() => String, { description: 'Two-digit IBGE code, e.g. 43.' })
  @Property({ type: 'string', length: 2, unique: true })
  ibgeCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 100 })
  name!: string;

  @Field(() => GeographicRegion)
  @Enum({ items: () => GeographicRegion, index: true })
  region!: GeographicRegion;
}
