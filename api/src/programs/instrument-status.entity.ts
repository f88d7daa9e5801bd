import { Entity, Enum, Index, ManyToOne, Property, type Ref, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';
import { Municipality } from '../territory/municipality.entity';
import { Instrument, InstrumentStatusValue } from './programs.enums';

/** Where a municipality stands with one management instrument for one period. */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'instrument_statuses' })
@Unique({ properties: ['municipality', 'instrument', 'period'] })
@Index({ properties: ['instrument', 'period', 'status'] })
export class InstrumentStatus extends BaseEntity {
  @ManyToOne(() => Municipality, { ref: true })
  municipality!: Ref<Municipality>;

  @Field(() => Instrument)
  @Enum({ items: () => Instrument })
  instrument!: Instrument;

  @Field(() => String, { description: 'Reference period, e.g. 2024 or 2022-2025 (PMS).' })
  @Property({ type: 'string', length: 20 })
  period!: string;

  @Field(() => InstrumentStatusValue)
  @Enum({ items: () => InstrumentStatusValue, index: true })
  status!: InstrumentStatusValue;

  @Field(() => LocalDate, { nullable: true, description: 'Day the status was reached.' })
  @Property({ type: 'string', length: 10, nullable: true })
  statusDate?: string | null;

  @Field(() => LocalDate, { nullable: true, description: 'Legal deadline for sending it.' })
  @Property({ type: 'string', length: 10, nullable: true })
  dueDate?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  demo: boolean = false;
}
