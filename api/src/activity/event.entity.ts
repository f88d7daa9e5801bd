import { Entity, Enum, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';
import { Organization } from '../people/organization.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { State } from '../territory/state.entity';
import { EventKind, Modality } from './activity.enums';

@ObjectType({
  implements: [Node, BaseEntity],
  description: 'A meeting, oficina, training, visit… with its attendance.',
})
@Entity({ tableName: 'events' })
@Index({ properties: ['state', 'startDate'] })
@Index({ properties: ['healthRegion', 'startDate'] })
@Index({ properties: ['kind', 'startDate'] })
export class Event extends BaseEntity {
  @Field(() => String, {
    nullable: true,
    description: 'Natural key from the source sheet or system.',
  })
  @Property({ type: 'string', length: 80, nullable: true, unique: true })
  code?: string | null;

  @Field(() => EventKind)
  @Enum({ items: () => EventKind, index: true })
  kind!: EventKind;

  @Field(() => String)
  @Property({ type: 'string', length: 500 })
  title!: string;

  @Field(() => LocalDate)
  @Property({ type: 'string', length: 10, index: true })
  startDate!: string;

  @Field(() => LocalDate, { nullable: true })
  @Property({ type: 'string', length: 10, nullable: true })
  endDate?: string | null;

  @Field(() => Modality)
  @Enum({ items: () => Modality, index: true })
  modality!: Modality;

  @ManyToOne(() => Organization, { ref: true, nullable: true, index: true })
  organization?: Ref<Organization> | null;

  @ManyToOne(() => State, { ref: true, nullable: true })
  state?: Ref<State> | null;

  @ManyToOne(() => HealthRegion, { ref: true, nullable: true })
  healthRegion?: Ref<HealthRegion> | null;

  @ManyToOne(() => Municipality, { ref: true, nullable: true, index: true })
  municipality?: Ref<Municipality> | null;

  @Field(() => [String], { description: 'Topics: Previne Brasil, PMS, RAG, vaccination…' })
  @Property({ type: 'json', default: '[]' })
  topics: string[] = [];

  @Field(() => Int, { nullable: true })
  @Property({ type: 'integer', nullable: true })
  participantCount?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Web oficinas report accesses as well as participants.',
  })
  @Property({ type: 'integer', nullable: true })
  accessCount?: number | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  notes?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false, index: true })
  demo: boolean = false;
}
