import { Entity, ManyToOne, Property, type Ref, Unique } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { BaseEntity, Node } from '../common/base.entity';
import { Municipality } from './municipality.entity';

/**
 * A name a municipality has been known by, with the first and last day a source gave it on.
 * Names change over time (2401305 was "Augusto Severo" in DATASUS's tables, "Campo Grande" in
 * IBGE's): the current name is the one given on the newest day, whatever order files come in.
 */
@ObjectType({ implements: [Node, BaseEntity] })
@Entity({ tableName: 'municipality_names' })
@Unique({ properties: ['municipality', 'name'] })
export class MunicipalityName extends BaseEntity {
  @ManyToOne(() => Municipality, { ref: true, index: true })
  municipality!: Ref<Municipality>;

  @Field(() => String)
  @Property({ type: 'string', length: 200 })
  name!: string;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'The earliest day a source gave this name on (null: not known).',
  })
  @Property({ type: 'string', length: 10, nullable: true })
  knownFrom?: string | null;

  @Field(() => LocalDate, {
    nullable: true,
    description: 'The newest day a source gave this name on (null: not known).',
  })
  @Property({ type: 'string', length: 10, nullable: true })
  knownTo?: string | null;
}
