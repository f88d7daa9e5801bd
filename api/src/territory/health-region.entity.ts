import { Entity, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { HealthMacroregion } from './health-macroregion.entity';
import { State } from './state.entity';
import type { Municipality } from './municipality.entity';

@ObjectType({
  implements: [Node, BaseEntity],
  description:
    'A health region (região de saúde), the territory of a CIR. Code = state code + number.',
})
@Entity({ tableName: 'health_regions' })
export class HealthRegion extends BaseEntity {
  @Field(() => String, { description: 'Five-digit code, e.g. 43001.' })
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

  @ManyToOne(() => HealthMacroregion, { ref: true, nullable: true, index: true })
  macroregion?: Ref<HealthMacroregion> | null;

  @ManyToOne({ entity: 'Municipality', ref: true, nullable: true })
  seatMunicipality?: Ref<Municipality> | null;

  @Field(() => Boolean, {
    description:
      'True for fictional demo rows: their codes start with D (D43001) so no official code is ever theirs, and an official territory import for their state replaces them.',
  })
  @Property({ type: 'boolean', default: false })
  demo: boolean = false;
}
