import {
  Collection,
  Entity,
  Enum,
  Index,
  ManyToMany,
  ManyToOne,
  Property,
  type Ref,
} from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity, Node } from '../common/base.entity';
import { LocalDate } from '../common/scalars';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { State } from '../territory/state.entity';
import { Organization } from './organization.entity';
import { Person } from './person.entity';
import { MandateRole, SeatType } from './people.enums';

/**
 * A time-bounded role: person × organisation × role × territorial scope × [startDate, endDate).
 * History is kept, so "who was the apoiador of region 43001 on 2020-10-01" has an answer.
 */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'mandates' })
@Index({ properties: ['role', 'startDate', 'endDate'] })
@Index({ properties: ['municipality', 'role'] })
export class Mandate extends BaseEntity {
  @Field(() => String, {
    nullable: true,
    description: 'Optional natural key from the source roster.',
  })
  @Property({ type: 'string', length: 80, nullable: true, unique: true })
  code?: string | null;

  @ManyToOne(() => Person, { ref: true, index: true })
  person!: Ref<Person>;

  @ManyToOne(() => Organization, { ref: true, nullable: true, index: true })
  organization?: Ref<Organization> | null;

  @Field(() => MandateRole)
  @Enum({ items: () => MandateRole, index: true })
  role!: MandateRole;

  @Field(() => SeatType, { nullable: true, description: 'Council seats: titular or suplente.' })
  @Enum({ items: () => SeatType, nullable: true })
  seat?: SeatType | null;

  /** State scope (coordinators, facilitators, board and council members). */
  @ManyToOne(() => State, { ref: true, nullable: true, index: true })
  state?: Ref<State> | null;

  /** Municipality scope (gestor, mayor). */
  @ManyToOne(() => Municipality, { ref: true, nullable: true, index: true })
  municipality?: Ref<Municipality> | null;

  /** Health-region scope (apoiadores; a council seat's region). */
  @ManyToMany(() => HealthRegion, undefined, { pivotTable: 'mandate_health_regions' })
  healthRegions = new Collection<HealthRegion>(this);

  @Field(() => LocalDate)
  @Property({ type: 'string', length: 10, index: true })
  startDate!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Exclusive end; null while the mandate is current.',
  })
  @Property({ type: 'string', length: 10, nullable: true, index: true })
  endDate?: string | null;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false, index: true })
  demo: boolean = false;
}
