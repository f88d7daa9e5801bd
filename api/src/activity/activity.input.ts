import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType, registerEnumType } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { orderFrom } from '../graphql/ordering';
import { validUfs } from '../territory/territory.validation';
import { EventKind, Modality } from './activity.enums';
import type { Event } from './event.entity';

@InputType()
export class EventFilter {
  @Field(() => [EventKind], { nullable: true })
  kind?: EventKind[];

  @Field(() => [Modality], { nullable: true })
  modality?: Modality[];

  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  healthRegionCode?: string[];

  @Field(() => [String], { nullable: true })
  organizationCode?: string[];

  @Field(() => LocalDate, { nullable: true, description: 'Events starting on or after this day.' })
  from?: string;

  @Field(() => LocalDate, { nullable: true, description: 'Events starting on or before this day.' })
  to?: string;
}

export enum EventOrder {
  START_DATE_ASC = 'START_DATE_ASC',
  START_DATE_DESC = 'START_DATE_DESC',
  KIND_ASC = 'KIND_ASC',
  KIND_DESC = 'KIND_DESC',
  PARTICIPANTS_ASC = 'PARTICIPANTS_ASC',
  PARTICIPANTS_DESC = 'PARTICIPANTS_DESC',
}
registerEnumType(EventOrder, { name: 'EventOrder' });

export function eventWhere(filter: EventFilter | null | undefined): FilterQuery<Event> {
  const and: Record<string, unknown>[] = [{ deletedAt: null }];
  if (filter?.kind) {
    and.push({ kind: { $in: filter.kind } });
  }
  if (filter?.modality) {
    and.push({ modality: { $in: filter.modality } });
  }
  if (filter?.uf) {
    and.push({ state: { uf: { $in: validUfs(filter.uf, 'filter.uf') } } });
  }
  if (filter?.healthRegionCode) {
    and.push({ healthRegion: { code: { $in: filter.healthRegionCode } } });
  }
  if (filter?.organizationCode) {
    and.push({ organization: { code: { $in: filter.organizationCode } } });
  }
  if (filter?.from) {
    and.push({ startDate: { $gte: filter.from } });
  }
  if (filter?.to) {
    and.push({ startDate: { $lte: filter.to } });
  }
  return (and.length === 1 ? and[0] : { $and: and }) as FilterQuery<Event>;
}

export function eventOrder(values: readonly EventOrder[] | null | undefined) {
  return orderFrom<Event, EventOrder>(
    values,
    {
      START_DATE_ASC: (d) => ({ startDate: d }),
      START_DATE_DESC: (d) => ({ startDate: d }),
      KIND_ASC: (d) => ({ kind: d }),
      KIND_DESC: (d) => ({ kind: d }),
      PARTICIPANTS_ASC: (d) => ({ participantCount: d }),
      PARTICIPANTS_DESC: (d) => ({ participantCount: d }),
    },
    [EventOrder.START_DATE_ASC],
  );
}
