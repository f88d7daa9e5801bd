import { Entity, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';

/**
 * A program municipalities adhere to, e.g. the 360-hour course of Nota Técnica 425/2025:
 * an adhesion window, a decision deadline in business days, a validity in months.
 */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'programs' })
export class Program extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 50, unique: true })
  code!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 300 })
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  description?: string | null;

  @Field(() => LocalDate)
  @Property({ type: 'string', length: 10 })
  adhesionOpensOn!: string;

  @Field(() => LocalDate)
  @Property({ type: 'string', length: 10 })
  adhesionClosesOn!: string;

  @Field(() => Int, { description: 'Business days (no weekends or national holidays) to decide.' })
  @Property({ type: 'integer', default: 3 })
  decisionBusinessDays: number = 3;

  @Field(() => Int)
  @Property({ type: 'integer', default: 24 })
  validityMonths: number = 24;
}
