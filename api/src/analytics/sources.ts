import {
  type EntityMetadata,
  type EntityName,
  type FilterQuery,
  ReferenceKind,
} from '@mikro-orm/core';
import type { Knex, SqlEntityManager } from '@mikro-orm/knex';
import { eventWhere, type EventFilter } from '../activity/activity.input';
import { Event } from '../activity/event.entity';
import type { Em } from '../db/orm';
import { MandateRole } from '../people/people.enums';
import { Adhesion } from '../programs/adhesion.entity';
import { InstrumentStatus } from '../programs/instrument-status.entity';
import {
  adhesionWhere,
  instrumentStatusWhere,
  type AdhesionFilter,
  type InstrumentStatusFilter,
} from '../programs/programs.input';
import { AdhesionStatus, InstrumentStatusValue } from '../programs/programs.enums';
import { EventKind } from '../activity/activity.enums';
import { Municipality } from '../territory/municipality.entity';
import { municipalityWhere, type MunicipalityFilter } from '../territory/municipality.input';
import { inForceSql, mandateSpan } from '../common/in-force';
import { knexRaw, knexSql, literal, literalList, sql, type Sql } from '../db/sql/sql';
import { type AggregateSpec, knexOf } from './aggregate';
import { regionOnSql } from './point-in-time';

/**
 * The FROM clause of an aggregate: the entity's table as `alias`, narrowed by one of the API's own
 * filter inputs, so an aggregate counts exactly what the matching list returns, in the same single
 * statement. A filter that reads only the entity's columns and its to-one relations (which match
 * at most one row each, so no row is counted twice) is compiled by the ORM straight onto `alias`;
 * any other becomes `alias.id IN (subquery)`, which costs the database a second pass over the
 * table and a semi-join.
 */
export function filteredTable<T extends object>(
  em: Em,
  entity: EntityName<T>,
  alias: string,
  where: FilterQuery<T>,
): Knex.QueryBuilder {
  const orm = em as unknown as SqlEntityManager;
  const meta = orm.getMetadata().get<T>(entity);
  if (readsOneRowEach(orm, meta, where)) {
    return orm.createQueryBuilder(entity, alias).where(where).getKnexQuery().clearSelect();
  }
  const ids = orm.createQueryBuilder(entity, 'f').select('f.id').where(where).getKnexQuery();
  return knexOf(em)(`${meta.tableName} as ${alias}`).whereIn(`${alias}.id`, ids);
}

const operators = new Set(['$and', '$or', '$not']);

/** True when every property `where` names is a column of the entity or reached through to-one relations. */
function readsOneRowEach(orm: SqlEntityManager, meta: EntityMetadata, where: unknown): boolean {
  if (where === null || typeof where !== 'object') {
    return true;
  }
  if (Array.isArray(where)) {
    return where.every((part) => readsOneRowEach(orm, meta, part));
  }
  return Object.entries(where as Record<string, unknown>).every(([key, value]) => {
    if (operators.has(key)) {
      return readsOneRowEach(orm, meta, value);
    }
    const property = meta.properties[key as keyof typeof meta.properties];
    if (!property) {
      return false;
    }
    if (property.kind === ReferenceKind.SCALAR) {
      return true;
    }
    const toOne =
      property.kind === ReferenceKind.MANY_TO_ONE ||
      (property.kind === ReferenceKind.ONE_TO_ONE && property.owner);
    if (!toOne) {
      return false;
    }
    // `{ state: 5 }`, `{ healthRegion: null }`, `{ healthRegion: { $ne: null } }` compare the
    // foreign key; `{ state: { uf: … } }` joins the relation and reads its columns.
    if (value === null || typeof value !== 'object') {
      return true;
    }
    const target = orm.getMetadata().get(property.type);
    return Object.entries(value as Record<string, unknown>).every(([nested, inner]) =>
      nested.startsWith('$') && !operators.has(nested)
        ? inner === null || typeof inner !== 'object' || Array.isArray(inner)
        : readsOneRowEach(orm, target, { [nested]: inner }),
    );
  });
}

/**
 * Municipalities with their state, health region and macroregion: the current region, or the one
 * each municipality was in on `regionsOn` (from region memberships); the macroregion is that
 * region's, or the one a file gave the municipality itself when the region has none.
 */
function withTerritory(em: Em, query: Knex.QueryBuilder, regionsOn?: string | null) {
  const knex = knexOf(em);
  query.join('states as s', 's.id', 'm.state_id');
  if (regionsOn) {
    query
      .leftJoin(knexRaw(knex, sql`(${regionOnSql(regionsOn)}) as pl`), 'pl.municipality_id', 'm.id')
      .leftJoin('health_regions as hr', 'hr.id', 'pl.health_region_id');
  } else {
    query.leftJoin('health_regions as hr', 'hr.id', 'm.health_region_id');
  }
  // A municipality's macroregion: its region's, else the one a file gave it (`inMacroregion`).
  const macroregionId = knexRaw(knex, sql`coalesce(hr.macroregion_id, m.macroregion_id)`);
  return query.leftJoin('health_macroregions as mr', (on) => on.on('mr.id', '=', macroregionId));
}

export function municipalitySource(
  em: Em,
  filter: MunicipalityFilter | null | undefined,
  regionsOn?: string | null,
) {
  return withTerritory(
    em,
    filteredTable(em, Municipality, 'm', municipalityWhere(filter)),
    regionsOn,
  );
}

export function eventSource(em: Em, filter: EventFilter | null | undefined) {
  return filteredTable(em, Event, 'e', eventWhere(filter))
    .leftJoin('states as s', 's.id', 'e.state_id')
    .leftJoin('health_regions as hr', 'hr.id', 'e.health_region_id')
    .leftJoin('organizations as o', 'o.id', 'e.organization_id');
}

export function adhesionSource(em: Em, filter: AdhesionFilter | null | undefined) {
  const query = filteredTable(em, Adhesion, 'a', adhesionWhere(filter))
    .join('programs as p', 'p.id', 'a.program_id')
    .join('municipalities as m', 'm.id', 'a.municipality_id');
  return withTerritory(em, query);
}

export function instrumentSource(em: Em, filter: InstrumentStatusFilter | null | undefined) {
  const query = filteredTable(em, InstrumentStatus, 'i', instrumentStatusWhere(filter)).join(
    'municipalities as m',
    'm.id',
    'i.municipality_id',
  );
  return withTerritory(em, query);
}

/** Each municipality of the filter beside its adhesion to one program (if any). */
export function adhesionRateSource(
  em: Em,
  filter: MunicipalityFilter | null | undefined,
  programId: number,
  regionsOn?: string | null,
) {
  const adhesion = knexSql(
    sql`left join adhesions a on a.municipality_id = m.id and a.program_id = ${programId} and a.deleted_at is null`,
  );
  return municipalitySource(em, filter, regionsOn).joinRaw(adhesion.text, adhesion.bindings);
}

/** Each municipality of the filter beside its status for one instrument and period (if any). */
export function complianceSource(
  em: Em,
  filter: MunicipalityFilter | null | undefined,
  instrument: string,
  period: string,
  regionsOn?: string | null,
) {
  const status = knexSql(
    sql`left join instrument_statuses i on i.municipality_id = m.id and i.instrument = ${instrument} and i.period = ${period} and i.deleted_at is null`,
  );
  return municipalitySource(em, filter, regionsOn).joinRaw(status.text, status.bindings);
}

const countWhen = (condition: Sql) => sql`sum(case when ${condition} then 1 else 0 end)`;

export const municipalityStatsSpec: AggregateSpec = {
  metrics: [
    {
      field: 'count',
      type: 'Int',
      description: 'Municipalities in the group.',
      sql: sql`count(*)`,
      counts: true,
    },
    {
      field: 'populationKnownCount',
      type: 'Int',
      description: 'Municipalities of the group with a known population.',
      sql: sql`count(m.population)`,
      counts: true,
    },
    {
      field: 'populationSum',
      type: 'Int',
      description: 'Sum of known populations.',
      sql: sql`sum(m.population)`,
    },
    {
      field: 'populationMin',
      type: 'Int',
      description: 'Smallest known population.',
      sql: sql`min(m.population)`,
    },
    {
      field: 'populationMax',
      type: 'Int',
      description: 'Largest known population.',
      sql: sql`max(m.population)`,
    },
  ],
  ratios: [
    {
      field: 'populationAvg',
      description: 'Mean of known populations (populationSum / populationKnownCount).',
      numerator: 'populationSum',
      denominator: { metric: 'populationKnownCount' },
    },
    {
      field: 'share',
      description: "The group's share of all municipalities matched (0–1).",
      numerator: 'count',
      denominator: { totalOf: 'count' },
    },
  ],
};

const eventSums = [
  {
    field: 'participantsSum',
    type: 'Int',
    description: 'Sum of reported participants (null when none reported).',
    sql: sql`sum(e.participant_count)`,
  },
  {
    field: 'accessesSum',
    type: 'Int',
    description: 'Sum of reported accesses (web oficinas).',
    sql: sql`sum(e.access_count)`,
  },
] as const;

export const eventStatsSpec: AggregateSpec = {
  metrics: [
    {
      field: 'count',
      type: 'Int',
      description: 'Events in the group.',
      sql: sql`count(*)`,
      counts: true,
    },
    ...eventSums,
  ],
  ratios: [
    {
      field: 'share',
      description: "The group's share of all events matched (0–1).",
      numerator: 'count',
      denominator: { totalOf: 'count' },
    },
  ],
};

/** Meetings: CIR, CIB, board, assembly, web meeting. Oficinas: web oficinas. */
export const meetingKinds = [
  EventKind.CIR_MEETING,
  EventKind.CIB_MEETING,
  EventKind.BOARD_MEETING,
  EventKind.ASSEMBLY,
  EventKind.WEB_MEETING,
];
export const oficinaKinds = [EventKind.WEB_OFICINA];

export const activitySummarySpec: AggregateSpec = {
  metrics: [
    {
      field: 'eventCount',
      type: 'Int',
      description: 'Events of any kind.',
      sql: sql`count(*)`,
      counts: true,
    },
    {
      field: 'meetingCount',
      type: 'Int',
      description: `Meetings (${meetingKinds.join(', ')}).`,
      sql: countWhen(sql`e.kind in ${literalList(meetingKinds)}`),
      counts: true,
    },
    {
      field: 'oficinaCount',
      type: 'Int',
      description: `Oficinas (${oficinaKinds.join(', ')}).`,
      sql: countWhen(sql`e.kind in ${literalList(oficinaKinds)}`),
      counts: true,
    },
    ...eventSums,
  ],
  ratios: [],
};

const countAndShare = (what: string): AggregateSpec => ({
  metrics: [
    {
      field: 'count',
      type: 'Int',
      description: `${what} in the group.`,
      sql: sql`count(*)`,
      counts: true,
    },
  ],
  ratios: [
    {
      field: 'share',
      description: `The group's share of all ${what.toLowerCase()} matched (0–1).`,
      numerator: 'count',
      denominator: { totalOf: 'count' },
    },
  ],
});

export const adhesionStatsSpec = countAndShare('Adhesions');

const sent = [InstrumentStatusValue.SENT, InstrumentStatusValue.APPROVED];

export const instrumentStatsSpec: AggregateSpec = {
  metrics: [
    ...countAndShare('Statuses').metrics,
    {
      field: 'onTimeCount',
      type: 'Int',
      description: 'Sent or approved on or before the due date (or with no due date).',
      sql: countWhen(
        sql`i.status in ${literalList(sent)} and (i.due_date is null or (i.status_date is not null and i.status_date <= i.due_date))`,
      ),
      counts: true,
    },
  ],
  ratios: countAndShare('Statuses').ratios,
};

/** Adhered = APPROVED and still valid on `on`; every municipality of the filter is eligible. */
export function adhesionRateSpec(on: string): AggregateSpec {
  return {
    metrics: [
      {
        field: 'eligibleCount',
        type: 'Int',
        description: 'Municipalities of the filter (all eligible).',
        sql: sql`count(*)`,
        counts: true,
      },
      {
        field: 'adheredCount',
        type: 'Int',
        description: 'With an APPROVED adhesion valid on the day asked.',
        sql: countWhen(
          sql`a.status = 'APPROVED' and (a.valid_until is null or a.valid_until >= ${on})`,
        ),
        counts: true,
      },
      {
        field: 'requestedCount',
        type: 'Int',
        description: 'With a REQUESTED adhesion awaiting decision.',
        sql: countWhen(sql`a.status = ${literal(AdhesionStatus.REQUESTED)}`),
        counts: true,
      },
      {
        field: 'rejectedCount',
        type: 'Int',
        description: 'With a REJECTED adhesion.',
        sql: countWhen(sql`a.status = ${literal(AdhesionStatus.REJECTED)}`),
        counts: true,
      },
      {
        field: 'suspendedCount',
        type: 'Int',
        description: 'With a SUSPENDED adhesion.',
        sql: countWhen(sql`a.status = ${literal(AdhesionStatus.SUSPENDED)}`),
        counts: true,
      },
      {
        field: 'expiredCount',
        type: 'Int',
        description: 'EXPIRED, or APPROVED but past validity on the day asked.',
        sql: countWhen(
          sql`a.status = 'EXPIRED' or (a.status = 'APPROVED' and a.valid_until is not null and a.valid_until < ${on})`,
        ),
        counts: true,
      },
      {
        field: 'withoutAdhesionCount',
        type: 'Int',
        description: 'Never asked to adhere.',
        sql: countWhen(sql`a.id is null`),
        counts: true,
      },
    ],
    ratios: [
      {
        field: 'rate',
        description: 'adheredCount / eligibleCount (0–1).',
        numerator: 'adheredCount',
        denominator: { metric: 'eligibleCount' },
      },
    ],
  };
}

/**
 * On time = SENT or APPROVED with a status date on or before the deadline: `deadline` when
 * given, else the row's due date; with neither, any sent status counts as on time.
 */
export function complianceSpec(deadline: string | null): AggregateSpec {
  const onTime = deadline
    ? sql`i.status_date is not null and i.status_date <= ${deadline}`
    : sql`i.due_date is null or (i.status_date is not null and i.status_date <= i.due_date)`;
  return {
    metrics: [
      {
        field: 'municipalityCount',
        type: 'Int',
        description: 'Municipalities of the filter (all expected to send).',
        sql: sql`count(*)`,
        counts: true,
      },
      {
        field: 'reportedCount',
        type: 'Int',
        description: 'With any status recorded.',
        sql: countWhen(sql`i.id is not null`),
        counts: true,
      },
      {
        field: 'sentCount',
        type: 'Int',
        description: 'SENT or APPROVED, on time or not.',
        sql: countWhen(sql`i.status in ${literalList(sent)}`),
        counts: true,
      },
      {
        field: 'approvedCount',
        type: 'Int',
        description: 'APPROVED.',
        sql: countWhen(sql`i.status = ${literal(InstrumentStatusValue.APPROVED)}`),
        counts: true,
      },
      {
        field: 'onTimeCount',
        type: 'Int',
        description: 'SENT or APPROVED by the deadline.',
        sql: countWhen(sql`i.status in ${literalList(sent)} and (${onTime})`),
        counts: true,
      },
      {
        field: 'pendingCount',
        type: 'Int',
        description: 'Not sent yet: no status, PENDING or IN_PROGRESS.',
        sql: countWhen(sql`i.id is null or i.status in ('PENDING', 'IN_PROGRESS')`),
        counts: true,
      },
    ],
    ratios: [
      {
        field: 'onTimeShare',
        description: 'onTimeCount / municipalityCount (0–1).',
        numerator: 'onTimeCount',
        denominator: { metric: 'municipalityCount' },
      },
      {
        field: 'sentShare',
        description: 'sentCount / municipalityCount (0–1).',
        numerator: 'sentCount',
        denominator: { metric: 'municipalityCount' },
      },
    ],
  };
}

/**
 * Each municipality of the filter beside who held office on `from` and `to`: one pass over the
 * gestor and mayor mandates, grouped per municipality (if two mandates overlap, the higher
 * person id stands for the office).
 */
export function turnoverSource(
  em: Em,
  filter: MunicipalityFilter | null | undefined,
  from: string,
  to: string,
  regionsOn?: string | null,
) {
  const holder = (role: MandateRole, on: string, column: string) =>
    sql`max(case when x.role = ${literal(role)} and ${inForceSql(mandateSpan, 'x', on)} then x.person_id end) as ${sql.ident(column)}`;
  const { MUNICIPAL_SECRETARY, MAYOR } = MandateRole;
  const holders = sql`(select x.municipality_id,
      ${holder(MUNICIPAL_SECRETARY, from, 'gestor_from')}, ${holder(MUNICIPAL_SECRETARY, to, 'gestor_to')},
      ${holder(MAYOR, from, 'mayor_from')}, ${holder(MAYOR, to, 'mayor_to')}
    from mandates x
    join people xp on xp.id = x.person_id and xp.deleted_at is null
    where x.deleted_at is null and x.municipality_id is not null and x.role in ${literalList([MUNICIPAL_SECRETARY, MAYOR])}
    group by x.municipality_id) as h`;
  return municipalitySource(em, filter, regionsOn).leftJoin(
    knexRaw(knexOf(em), holders),
    'h.municipality_id',
    'm.id',
  );
}

export const turnoverSpec: AggregateSpec = (() => {
  // Changed: the person on `to` is not the one on `from`; a vacancy counts as "nobody", so
  // vacancy → someone is a change and no one on either day is not.
  const changed = (office: string) =>
    countWhen(
      sql`coalesce(${sql.ident('h', `${office}_from`)}, -1) <> coalesce(${sql.ident('h', `${office}_to`)}, -1)`,
    );
  return {
    metrics: [
      {
        field: 'municipalityCount',
        type: 'Int',
        description: 'Municipalities in the group.',
        sql: sql`count(*)`,
        counts: true,
      },
      {
        field: 'gestorOnFromCount',
        type: 'Int',
        description: 'With a gestor in office on `from`.',
        sql: countWhen(sql`h.gestor_from is not null`),
        counts: true,
      },
      {
        field: 'gestorOnToCount',
        type: 'Int',
        description: 'With a gestor in office on `to`.',
        sql: countWhen(sql`h.gestor_to is not null`),
        counts: true,
      },
      {
        field: 'gestorChangedCount',
        type: 'Int',
        description: 'Whose gestor on `to` is not the one on `from`.',
        sql: changed('gestor'),
        counts: true,
      },
      {
        field: 'mayorChangedCount',
        type: 'Int',
        description: 'Whose mayor on `to` is not the one on `from`.',
        sql: changed('mayor'),
        counts: true,
      },
    ],
    ratios: [
      {
        field: 'gestorChangedShare',
        description: 'gestorChangedCount / municipalityCount (0–1).',
        numerator: 'gestorChangedCount',
        denominator: { metric: 'municipalityCount' },
      },
      {
        field: 'mayorChangedShare',
        description: 'mayorChangedCount / municipalityCount (0–1).',
        numerator: 'mayorChangedCount',
        denominator: { metric: 'municipalityCount' },
      },
    ],
  };
})();
