import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType } from 'type-graphql';
import { LocalDate } from '../common/scalars';
import { orderEnum, type EnumValue } from '../graphql/ordering';
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

export const [EventOrder, eventOrder] = orderEnum<Event>()(
  'EventOrder',
  { START_DATE: 'startDate', KIND: 'kind', PARTICIPANTS: 'participantCount' },
  'START_DATE_ASC',
);
export type EventOrder = EnumValue<typeof EventOrder>;

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
