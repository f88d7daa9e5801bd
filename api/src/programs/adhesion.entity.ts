import { Entity, Enum, ManyToOne, Property, type Ref, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';
import { Municipality } from '../territory/municipality.entity';
import { Program } from './program.entity';
import { AdhesionStatus } from './programs.enums';

@ObjectType({
  implements: [Node, BaseEntity],
  description: "A municipality's adhesion to a program.",
})
@Entity({ tableName: 'adhesions' })
@Unique({ properties: ['municipality', 'program'] })
export class Adhesion extends BaseEntity {
  @ManyToOne(() => Municipality, { ref: true, index: true })
  municipality!: Ref<Municipality>;

  @ManyToOne(() => Program, { ref: true, index: true })
  program!: Ref<Program>;

  @Enum({ items: () => AdhesionStatus, index: true })
  status!: AdhesionStatus;

  @Field(() => LocalDate)
  @Property({ type: 'string', length: 10 })
  requestedOn!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: "requestedOn + the program's decision business days.",
  })
  @Property({ type: 'string', length: 10, nullable: true })
  decisionDueOn?: string | null;

  @Field(() => LocalDate, { nullable: true })
  @Property({ type: 'string', length: 10, nullable: true })
  decidedOn?: string | null;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'After this day an approved adhesion reads as EXPIRED.',
  })
  @Property({ type: 'string', length: 10, nullable: true, index: true })
  validUntil?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  notes?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  demo: boolean = false;
}
