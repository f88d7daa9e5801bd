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
import { type AggregateSpec, knexOf, type Metric, type Ratio } from './aggregate';
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

/** A count: never null, 0 when nothing matched. */
const count = (field: string, description: string, expression: Sql): Metric => ({
  field,
  type: 'Int',
  description,
  sql: expression,
  counts: true,
});
/** A sum, minimum or maximum: null when nothing was reported. */
const int = (field: string, description: string, expression: Sql): Metric => ({
  field,
  type: 'Int',
  description,
  sql: expression,
});
/** One number of the group over another (0–1). */
const share = (field: string, numerator: string, denominator: string): Ratio => ({
  field,
  description: `${numerator} / ${denominator} (0–1).`,
  numerator,
  denominator: { metric: denominator },
});

export const municipalityStatsSpec: AggregateSpec = {
  metrics: [
    count('count', 'Municipalities in the group.', sql`count(*)`),
    count(
      'populationKnownCount',
      'Municipalities of the group with a known population.',
      sql`count(m.population)`,
    ),
    int('populationSum', 'Sum of known populations.', sql`sum(m.population)`),
    int('populationMin', 'Smallest known population.', sql`min(m.population)`),
    int('populationMax', 'Largest known population.', sql`max(m.population)`),
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
  int(
    'participantsSum',
    'Sum of reported participants (null when none reported).',
    sql`sum(e.participant_count)`,
  ),
  int('accessesSum', 'Sum of reported accesses (web oficinas).', sql`sum(e.access_count)`),
] as const;

export const eventStatsSpec: AggregateSpec = {
  metrics: [count('count', 'Events in the group.', sql`count(*)`), ...eventSums],
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
    count('eventCount', 'Events of any kind.', sql`count(*)`),
    count(
      'meetingCount',
      `Meetings (${meetingKinds.join(', ')}).`,
      countWhen(sql`e.kind in ${literalList(meetingKinds)}`),
    ),
    count(
      'oficinaCount',
      `Oficinas (${oficinaKinds.join(', ')}).`,
      countWhen(sql`e.kind in ${literalList(oficinaKinds)}`),
    ),
    ...eventSums,
  ],
  ratios: [],
};

const countAndShare = (what: string): AggregateSpec => ({
  metrics: [count('count', `${what} in the group.`, sql`count(*)`)],
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
    count(
      'onTimeCount',
      'Sent or approved on or before the due date (or with no due date).',
      countWhen(
        sql`i.status in ${literalList(sent)} and (i.due_date is null or (i.status_date is not null and i.status_date <= i.due_date))`,
      ),
    ),
  ],
  ratios: countAndShare('Statuses').ratios,
};

/** Adhered = APPROVED and still valid on `on`; every municipality of the filter is eligible. */
export function adhesionRateSpec(on: string): AggregateSpec {
  return {
    metrics: [
      count('eligibleCount', 'Municipalities of the filter (all eligible).', sql`count(*)`),
      count(
        'adheredCount',
        'With an APPROVED adhesion valid on the day asked.',
        countWhen(sql`a.status = 'APPROVED' and (a.valid_until is null or a.valid_until >= ${on})`),
      ),
      count(
        'requestedCount',
        'With a REQUESTED adhesion awaiting decision.',
        countWhen(sql`a.status = ${literal(AdhesionStatus.REQUESTED)}`),
      ),
      count(
        'rejectedCount',
        'With a REJECTED adhesion.',
        countWhen(sql`a.status = ${literal(AdhesionStatus.REJECTED)}`),
      ),
      count(
        'suspendedCount',
        'With a SUSPENDED adhesion.',
        countWhen(sql`a.status = ${literal(AdhesionStatus.SUSPENDED)}`),
      ),
      count(
        'expiredCount',
        'EXPIRED, or APPROVED but past validity on the day asked.',
        countWhen(
          sql`a.status = 'EXPIRED' or (a.status = 'APPROVED' and a.valid_until is not null and a.valid_until < ${on})`,
        ),
      ),
      count('withoutAdhesionCount', 'Never asked to adhere.', countWhen(sql`a.id is null`)),
    ],
    ratios: [share('rate', 'adheredCount', 'eligibleCount')],
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
      count(
        'municipalityCount',
        'Municipalities of the filter (all expected to send).',
        sql`count(*)`,
      ),
      count('reportedCount', 'With any status recorded.', countWhen(sql`i.id is not null`)),
      count(
        'sentCount',
        'SENT or APPROVED, on time or not.',
        countWhen(sql`i.status in ${literalList(sent)}`),
      ),
      count(
        'approvedCount',
        'APPROVED.',
        countWhen(sql`i.status = ${literal(InstrumentStatusValue.APPROVED)}`),
      ),
      count(
        'onTimeCount',
        'SENT or APPROVED by the deadline.',
        countWhen(sql`i.status in ${literalList(sent)} and (${onTime})`),
      ),
      count(
        'pendingCount',
        'Not sent yet: no status, PENDING or IN_PROGRESS.',
        countWhen(sql`i.id is null or i.status in ('PENDING', 'IN_PROGRESS')`),
      ),
    ],
    ratios: [
      share('onTimeShare', 'onTimeCount', 'municipalityCount'),
      share('sentShare', 'sentCount', 'municipalityCount'),
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
      count('municipalityCount', 'Municipalities in the group.', sql`count(*)`),
      count(
        'gestorOnFromCount',
        'With a gestor in office on `from`.',
        countWhen(sql`h.gestor_from is not null`),
      ),
      count(
        'gestorOnToCount',
        'With a gestor in office on `to`.',
        countWhen(sql`h.gestor_to is not null`),
      ),
      count(
        'gestorChangedCount',
        'Whose gestor on `to` is not the one on `from`.',
        changed('gestor'),
      ),
      count('mayorChangedCount', 'Whose mayor on `to` is not the one on `from`.', changed('mayor')),
    ],
    ratios: [
      share('gestorChangedShare', 'gestorChangedCount', 'municipalityCount'),
      share('mayorChangedShare', 'mayorChangedCount', 'municipalityCount'),
    ],
  };
})();
