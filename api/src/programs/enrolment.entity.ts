import { Entity, ManyToOne, Property, type Ref, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';
import { Person } from '../people/person.entity';
import { Municipality } from '../territory/municipality.entity';
import { Program } from './program.entity';

/** A professional enrolled in a program through a municipality whose adhesion is approved. */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'enrolments' })
@Unique({ properties: ['person', 'program'] })
export class Enrolment extends BaseEntity {
  @ManyToOne(() => Person, { ref: true, index: true })
  person!: Ref<Person>;

  @ManyToOne(() => Program, { ref: true, index: true })
  program!: Ref<Program>;

  @ManyToOne(() => Municipality, { ref: true, index: true })
  municipality!: Ref<Municipality>;

  @Field(() => LocalDate)
  @Property({ type: 'string', length: 10 })
  enrolledOn!: string;
}
