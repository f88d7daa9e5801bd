import { Entity, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { State } from './state.entity';

@ObjectType({
  implements: [Node, BaseEntity],
  description: 'A health macroregion (macrorregião de saúde) of a state.',
})
@Entity({ tableName: 'health_macroregions' })
export class HealthMacroregion extends BaseEntity {
  @Field(() => String, { description: 'Macroregion code, e.g. 4301 (DATASUS CO_MACSAUD).' })
  @Property({ type: 'string', length: 10, unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  /** Lower-case, accent-free name for `nameContains`. */
  @Property({ type: 'string', length: 200, index: true })
  nameSearch!: string;

  @ManyToOne(() => State, { ref: true, index: true })
  state!: Ref<State>;

  @Field(() => Boolean, {
    description:
      'True for fictional demo rows: their codes start with D (D43001) so no official code is ever theirs, and an official territory import for their state replaces them.',
  })
  @Property({ type: 'boolean', default: false })
  demo: boolean = false;
}
