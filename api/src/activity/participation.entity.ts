import { Entity, Enum, ManyToOne, type Ref, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { Person } from '../people/person.entity';
import { Municipality } from '../territory/municipality.entity';
import { ParticipationRole } from './activity.enums';
import { Event } from './event.entity';

/**
 * A person or a municipality taking part in an event, as organiser, speaker or attendee. A person
 * takes part in an event once (rows without a person, i.e. municipalities, are not constrained).
 */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'participations' })
@Unique({ properties: ['event', 'person'] })
export class Participation extends BaseEntity {
  @ManyToOne(() => Event, { ref: true, index: true })
  event!: Ref<Event>;

  @ManyToOne(() => Person, { ref: true, nullable: true, index: true })
  person?: Ref<Person> | null;

  @ManyToOne(() => Municipality, { ref: true, nullable: true, index: true })
  municipality?: Ref<Municipality> | null;

  @Field(() => ParticipationRole)
  @Enum({ items: () => ParticipationRole })
  role: ParticipationRole = ParticipationRole.ATTENDEE;
}
