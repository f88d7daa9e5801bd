import { Entity, ManyToOne, Property, type Ref, Unique } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { Municipality } from './municipality.entity';

/** One IBGE population estimate; every year is kept, the newest feeds `Municipality.population`. */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'population_estimates' })
@Unique({ properties: ['municipality', 'year'] })
export class PopulationEstimate extends BaseEntity {
  @ManyToOne(() => Municipality, { ref: true })
  municipality!: Ref<Municipality>;

  @Field(() => Int)
  @Property({ type: 'integer', index: true })
  year!: number;

  @Field(() => Int)
  @Property({ type: 'integer' })
  population!: number;
}
