import { LocalDate } from '../common/scalars';
import { field, filterInput, list } from '../graphql/filters';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import { validUfs } from '../territory/territory.validation';
import { EventKind, Modality } from './activity.enums';
import type { Event } from './event.entity';

export const [EventFilter, eventWhere] = filterInput<Event>()(
  'EventFilter',
  {
    kind: list(EventKind, (kind) => ({ kind: { $in: kind } })),
    modality: list(Modality, (modality) => ({ modality: { $in: modality } })),
    uf: list(String, (ufs) => ({ state: { uf: { $in: validUfs(ufs, 'filter.uf') } } })),
    healthRegionCode: list(String, (codes) => ({ healthRegion: { code: { $in: codes } } })),
    organizationCode: list(String, (codes) => ({ organization: { code: { $in: codes } } })),
    from: field(LocalDate, (from) => ({ startDate: { $gte: from } }), {
      description: 'Events starting on or after this day.',
    }),
    to: field(LocalDate, (to) => ({ startDate: { $lte: to } }), {
      description: 'Events starting on or before this day.',
    }),
  },
  { join: '$and' },
);
export type EventFilter = InstanceType<typeof EventFilter>;

export const [EventOrder, eventOrder] = orderEnum<Event>()(
  'EventOrder',
  { START_DATE: 'startDate', KIND: 'kind', PARTICIPANTS: 'participantCount' },
  'START_DATE_ASC',
);
export type EventOrder = EnumValue<typeof EventOrder>;
