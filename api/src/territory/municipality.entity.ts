import { Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';
import { HealthMacroregion } from './health-macroregion.entity';
import { HealthRegion } from './health-region.entity';
import { State } from './state.entity';
import { ManagementType, SizeClass } from './territory.enums';

@ObjectType({
  implements: [Node, BaseEntity],
  description: 'A municipality, identified by its 7-digit IBGE code.',
})
@Entity({ tableName: 'municipalities' })
@Index({ properties: ['state', 'name'] })
export class Municipality extends BaseEntity {
  @Field(() => String, { description: '7-digit IBGE code; the 7th digit is a check digit.' })
  @Property({ type: 'string', length: 7, unique: true })
  ibgeCode!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200, index: true })
  name!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description:
      'The day of the source that gave the current name (later sources giving it too extend nameHistory); an official file of an earlier day never renames the municipality.',
  })
  @Property({ type: 'string', length: 10, nullable: true })
  nameAsOf?: string | null;

  /** Lower-case, accent-free name: what `nameContains` searches, identically on both databases. */
  @Property({ type: 'string', length: 200, index: true })
  nameSearch!: string;

  @ManyToOne(() => State, { ref: true, index: true })
  state!: Ref<State>;

  @ManyToOne(() => HealthRegion, { ref: true, nullable: true, index: true })
  healthRegion?: Ref<HealthRegion> | null;

  /**
   * The macroregion a file gives the municipality itself (DATASUS's joined table says which
   * macroregion each municipality is in, without regions). The municipality's macroregion is its
   * health region's when that region has one, else this (see `macroregionOfMunicipality`).
   */
  @ManyToOne(() => HealthMacroregion, { ref: true, nullable: true, index: true })
  macroregion?: Ref<HealthMacroregion> | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false, index: true })
  isCapital: boolean = false;

  @Field(() => Int, {
    nullable: true,
    description: 'Latest population estimate (see populationYear).',
  })
  @Property({ type: 'integer', nullable: true, index: true })
  population?: number | null;

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  populationYear?: number | null;

  @Field(() => SizeClass, { nullable: true, description: 'Derived from population.' })
  @Enum({ items: () => SizeClass, nullable: true, index: true })
  sizeClass?: SizeClass | null;

  @Field(() => ManagementType, { nullable: true })
  @Enum({ items: () => ManagementType, nullable: true, index: true })
  managementType?: ManagementType | null;

  @Field(() => Float, { nullable: true })
  @Property({ type: 'double', nullable: true })
  latitude?: number | null;

  @Field(() => Float, { nullable: true })
  @Property({ type: 'double', nullable: true })
  longitude?: number | null;
}
