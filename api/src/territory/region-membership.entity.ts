import { Entity, Index, ManyToOne, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { BaseEntity, Node } from '../common/base.entity';
import { HealthRegion } from './health-region.entity';
import { Municipality } from './municipality.entity';

/**
 * Which health region a municipality belonged to, and when. CIB deliberations move
 * municipalities between regions; the old membership is closed (`validTo`), never overwritten.
 */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'region_memberships' })
@Index({ properties: ['municipality', 'validFrom'] })
export class RegionMembership extends BaseEntity {
  @ManyToOne(() => Municipality, { ref: true, index: true })
  municipality!: Ref<Municipality>;

  @ManyToOne(() => HealthRegion, { ref: true, index: true })
  healthRegion!: Ref<HealthRegion>;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'First day (ISO date) of the membership.',
  })
  @Property({ type: 'string', length: 10, nullable: true })
  validFrom?: string | null;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Day (ISO date) the membership ended; null while current.',
  })
  @Property({ type: 'string', length: 10, nullable: true, index: true })
  validTo?: string | null;
}
