import type { EntityClass } from '@mikro-orm/core';
import { Event } from '../../api/src/activity/event.entity';
import { Participation } from '../../api/src/activity/participation.entity';
import { type Em, type Orm, refreshPlannerStatistics } from '../../api/src/db/orm';
import { Mandate } from '../../api/src/people/mandate.entity';
import { Organization } from '../../api/src/people/organization.entity';
import { Person } from '../../api/src/people/person.entity';
import { Adhesion } from '../../api/src/programs/adhesion.entity';
import { InstrumentStatus } from '../../api/src/programs/instrument-status.entity';
import { Program } from '../../api/src/programs/program.entity';
import { HealthMacroregion } from '../../api/src/territory/health-macroregion.entity';
import { HealthRegion } from '../../api/src/territory/health-region.entity';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { RegionMembership } from '../../api/src/territory/region-membership.entity';
import { State } from '../../api/src/territory/state.entity';
import {
  buildDemoNetwork,
  type DemoOptions,
  type DemoTable,
  type DemoTerritory,
  type IdCursor,
} from './demo.network';

const tables: Record<DemoTable, EntityClass<object>> = {
  health_macroregions: HealthMacroregion,
  health_regions: HealthRegion,
  region_memberships: RegionMembership,
  organizations: Organization,
  people: Person,
  mandates: Mandate,
  programs: Program,
  adhesions: Adhesion,
  instrument_statuses: InstrumentStatus,
  events: Event,
  participations: Participation,
};

export interface DemoSeedResult {
  rows: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
  summary: Record<string, { regions: number; apoiadores: number }>;
}

/** The territory and next free ids the generator builds on. */
export async function readDemoTerritory(
  em: Em,
): Promise<{ territory: DemoTerritory; startIds: IdCursor }> {
  const states = await em.find(State, { deletedAt: null }, { orderBy: { id: 'asc' } });
  const municipalities = await em.find(
    Municipality,
    { deletedAt: null },
    { orderBy: { id: 'asc' } },
  );
  const regions = await em.find(HealthRegion, { deletedAt: null }, { orderBy: { id: 'asc' } });
  const macroregions = await em.find(
    HealthMacroregion,
    { deletedAt: null },
    { orderBy: { id: 'asc' } },
  );
  const organizations = await em.find(Organization, {}, { orderBy: { id: 'asc' } });
  const programs = await em.find(Program, {}, { orderBy: { id: 'asc' } });
  const startIds = {} as IdCursor;
  for (const [table, entity] of Object.entries(tables) as [DemoTable, EntityClass<object>][]) {
    const [last] = await em.find(
      entity,
      {},
      { orderBy: { id: 'desc' } as never, limit: 1, fields: ['id'] as never },
    );
    startIds[table] = ((last as { id?: number } | undefined)?.id ?? 0) + 1;
  }
  return {
    territory: {
      states: states.map((s) => ({ id: s.id, uf: s.uf, ibgeCode: s.ibgeCode, name: s.name })),
      municipalities: municipalities.map((m) => ({
        id: m.id,
        ibgeCode: m.ibgeCode,
        name: m.name,
        stateId: m.state.id,
        isCapital: m.isCapital,
        healthRegionId: m.healthRegion?.id ?? null,
      })),
      regions: regions.map((r) => ({ id: r.id, code: r.code, stateId: r.state.id })),
      macroregions: macroregions.map((m) => ({ id: m.id, stateId: m.state.id })),
      organizations: organizations.map((o) => ({ id: o.id, code: o.code })),
      programs: programs.map((p) => ({ id: p.id, code: p.code })),
    },
    startIds,
  };
}

/** Rows per multi-row INSERT: under both databases' bound-parameter limits. */
function batchSize(rows: Record<string, unknown>[]): number {
  const columns = Math.max(1, Object.keys(rows[0] ?? {}).length + 3);
  return Math.max(1, Math.floor(30_000 / columns));
}

/**
 * Writes the demo network in one transaction with multi-row inserts (ids assigned by the
 * generator; PostgreSQL sequences are moved past them). Refuses a database that has people.
 */
export async function seedDemoNetwork(
  orm: Orm,
  options: DemoOptions & { onProgress?: (events: number, total: number) => void },
): Promise<DemoSeedResult> {
  const started = Date.now();
  const em = orm.em.fork();
  if ((await em.count(Person, {})) > 0) {
    throw new Error(
      'the database already has people; the demo network is only built on an empty network',
    );
  }
  const { territory, startIds } = await readDemoTerritory(em);
  const network = buildDemoNetwork(territory, startIds, options);
  const rows: Record<string, number> = {};
  const now = new Date();
  const stamp = { createdAt: now, updatedAt: now, version: 1 };

  await em.transactional(async (tx) => {
    const insert = async (entity: EntityClass<object>, data: Record<string, unknown>[]) => {
      if (data.length === 0) {
        return;
      }
      const size = batchSize(data);
      for (let start = 0; start < data.length; start += size) {
        await tx.insertMany(
          entity,
          data.slice(start, start + size).map((row) => ({ ...stamp, ...row })) as never[],
        );
      }
      rows[entity.name] = (rows[entity.name] ?? 0) + data.length;
      if (process.env.DEMO_TIMING) {
        process.stderr.write(`${entity.name} ${data.length} ${Date.now() - started}ms\n`);
      }
    };
    await insert(HealthMacroregion, network.macroregions);
    await insert(HealthRegion, network.regions);
    const byRegion = new Map<number, number[]>();
    for (const [municipality, region] of network.regionOfMunicipality) {
      byRegion.set(region, [...(byRegion.get(region) ?? []), municipality]);
    }
    for (const [region, municipalities] of byRegion) {
      // The region link is set once on first seeding, without bumping `version`.
      await tx.nativeUpdate(
        Municipality,
        { id: { $in: municipalities } },
        { healthRegion: region },
      );
    }
    await insert(RegionMembership, network.memberships);
    await insert(Organization, network.organizations);
    await insert(Person, network.people);
    await insert(Mandate, network.mandates);
    const pivot = network.mandateRegions;
    const pivotEntity = tx.getMetadata().get(Mandate.name).properties.healthRegions.pivotEntity;
    const [mandateColumn, regionColumn] = tx.getMetadata().get(pivotEntity).relations;
    for (let start = 0; start < pivot.length; start += 5000) {
      await tx.insertMany(
        pivotEntity,
        pivot.slice(start, start + 5000).map((row) => ({
          [mandateColumn!.name]: row.mandate_id,
          [regionColumn!.name]: row.health_region_id,
        })),
      );
    }
    rows.mandate_health_regions = pivot.length;
    await insert(Program, network.programs);
    await insert(Adhesion, network.adhesions);
    await insert(InstrumentStatus, network.instrumentStatuses);
    let events = 0;
    for (const batch of network.events(2000)) {
      await insert(
        Event,
        batch.events.map((row) => ({ ...row, topics: row.topics })),
      );
      await insert(Participation, batch.participations);
      events += batch.events.length;
      options.onProgress?.(events, network.eventCount);
    }
    if (orm.config.get('driver')?.name === 'PostgreSqlDriver') {
      for (const entity of Object.values(tables)) {
        const table = tx.getMetadata().get(entity.name).tableName;
        await tx
          .getConnection()
          .execute(
            `select setval(pg_get_serial_sequence('${table}', 'id'), coalesce((select max(id) from ${table}), 1))`,
            [],
            'all',
            tx.getTransactionContext(),
          );
      }
    }
  });
  await refreshPlannerStatistics(em);
  const seconds = (Date.now() - started) / 1000;
  const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
  return {
    rows,
    seconds,
    rowsPerSecond: Math.round(total / Math.max(seconds, 0.001)),
    summary: network.summary,
  };
}
