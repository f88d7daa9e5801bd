import type { EntityClass } from '@mikro-orm/core';
import { createHash } from 'node:crypto';
import { Event } from '../../api/src/activity/event.entity';
import { eventTarget } from '../../api/src/activity/event.write';
import { Participation } from '../../api/src/activity/participation.entity';
import { participationTarget } from '../../api/src/activity/participation.write';
import { systemViewer } from '../../api/src/auth/viewer';
import { type Em, type Orm, refreshPlannerStatistics } from '../../api/src/db/orm';
import { ImportRun, ImportStatus } from '../../api/src/imports/import-run.entity';
import { applyPlans, planTarget } from '../../api/src/imports/import.plan';
import {
  RefIndex,
  type RefNamespace,
  refNamespaces,
  type Target,
} from '../../api/src/imports/import.targets';
import { Mandate } from '../../api/src/people/mandate.entity';
import { mandateTarget } from '../../api/src/people/mandate.write';
import { Organization } from '../../api/src/people/organization.entity';
import { organizationTarget } from '../../api/src/people/organization.write';
import { Person } from '../../api/src/people/person.entity';
import { personTarget } from '../../api/src/people/person.write';
import { Adhesion } from '../../api/src/programs/adhesion.entity';
import { adhesionTarget } from '../../api/src/programs/adhesion.write';
import { InstrumentStatus } from '../../api/src/programs/instrument-status.entity';
import { instrumentStatusTarget } from '../../api/src/programs/instrument-status.write';
import { Program } from '../../api/src/programs/program.entity';
import { programTarget } from '../../api/src/programs/program.write';
import { HealthMacroregion } from '../../api/src/territory/health-macroregion.entity';
import { healthMacroregionTarget } from '../../api/src/territory/health-macroregion.write';
import { HealthRegion } from '../../api/src/territory/health-region.entity';
import { healthRegionTarget } from '../../api/src/territory/health-region.write';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { municipalityTarget } from '../../api/src/territory/municipality.write';
import { RegionMembership } from '../../api/src/territory/region-membership.entity';
import { regionMembershipTarget } from '../../api/src/territory/region-membership.write';
import { State } from '../../api/src/territory/state.entity';
import { type Flat } from '../../api/src/writes/write.batch';
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
  /** The import run the network was written under (`import:revert` undoes it). */
  runId: number;
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
      macroregions: macroregions.map((m) => ({ id: m.id, code: m.code, stateId: m.state.id })),
      organizations: organizations.map((o) => ({ id: o.id, code: o.code })),
      programs: programs.map((p) => ({ id: p.id, code: p.code })),
    },
    startIds,
  };
}

/** What a demo row is written as: the target the import engine writes its entity through. */
type Step = { target: Target; rows: DemoRow[] };
type DemoRow = Record<string, unknown>;

/** Row fields that are the generator's own, not the entity's: its handle and its source tag. */
const generatorFields = new Set(['id', 'source']);

/** A target that also writes the entity's `demo` flag (official files never set it). */
function withDemoFlag(target: Target): Target {
  return target.fields.some((field) => field.name === 'demo')
    ? target
    : { ...target, fields: [...target.fields, { name: 'demo', property: 'demo', type: 'scalar' }] };
}

/**
 * Natural keys of the rows the generator points at by id (its handles: the database's ids of the
 * territory it read, its own ids for the rows it makes), per namespace.
 */
class DemoKeys {
  private readonly keys = new Map<RefNamespace, Map<number, string>>();

  add(namespace: RefNamespace, rows: readonly DemoRow[]): void {
    const keyField = refNamespaces[namespace].keyField;
    const keys = this.keys.get(namespace) ?? new Map<number, string>();
    for (const row of rows) {
      keys.set(row.id as number, row[keyField] as string);
    }
    this.keys.set(namespace, keys);
  }

  key(namespace: RefNamespace, id: number, where: string): string {
    const key = this.keys.get(namespace)?.get(id);
    if (key === undefined) {
      throw new Error(`demo seed: ${where} points at ${namespace} #${id}, which it does not know`);
    }
    return key;
  }
}

/**
 * Turns generated rows into the flat form every write takes (`healthRegionCode`, not a region
 * id), by the target's own field list; a property the target does not write is an error, not
 * dropped. The field list is read once per target, not once per row.
 */
function flattener(target: Target, keys: DemoKeys): (row: DemoRow) => Flat {
  const written = new Set([...target.fields.map((field) => field.property), ...generatorFields]);
  return (row) => {
    for (const name of Object.keys(row)) {
      if (!written.has(name)) {
        throw new Error(
          `demo seed: ${target.name}.${name} is not a field its import target writes`,
        );
      }
    }
    const flat: Flat = {};
    for (const field of target.fields) {
      if (!(field.property in row)) {
        continue;
      }
      const value = row[field.property];
      const where = `${target.name}.${field.name}`;
      if (field.type === 'ref') {
        flat[field.name] =
          value === null || value === undefined
            ? null
            : keys.key(field.namespace, value as number, where);
      } else if (field.type === 'refList') {
        flat[field.name] = (value as number[])
          .map((id) => keys.key(field.namespace, id, where))
          .sort();
      } else {
        flat[field.name] = value;
      }
    }
    return flat;
  };
}

/**
 * Builds the fictional network on an empty network and writes it the way an import writes a
 * file: each entity's rows, in flat form, planned against the database and applied by
 * `applyPlans` through its import target (new rows as multi-row inserts, each with its audit
 * entry), all under one import run of kind `demo`, in one transaction.
 */
export async function seedDemoNetwork(
  orm: Orm,
  options: DemoOptions & {
    onProgress?: (events: number, total: number) => void;
    /** Who the run and its audit entries name. */
    actor?: string;
  },
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
  const keys = new DemoKeys();
  keys.add(
    'State',
    territory.states.map((state) => ({ id: state.id, uf: state.uf })),
  );
  keys.add('Municipality', territory.municipalities);
  keys.add('HealthRegion', [...territory.regions, ...network.regions]);
  keys.add('HealthMacroregion', [...territory.macroregions, ...network.macroregions]);
  keys.add('Organization', [...territory.organizations, ...network.organizations]);
  keys.add('Program', [...territory.programs, ...network.programs]);
  keys.add('Person', network.people);

  const linksOf = new Map<number, number[]>();
  for (const link of network.mandateRegions) {
    linksOf.set(link.mandate_id, [...(linksOf.get(link.mandate_id) ?? []), link.health_region_id]);
  }
  const regionLinks = [...network.regionOfMunicipality].map(([municipality, region]) => ({
    id: municipality,
    ibgeCode: keys.key('Municipality', municipality, 'Municipality'),
    healthRegion: region,
  }));
  const steps: Step[] = [
    { target: healthMacroregionTarget, rows: network.macroregions },
    { target: healthRegionTarget, rows: network.regions },
    { target: municipalityTarget, rows: regionLinks },
    { target: regionMembershipTarget, rows: network.memberships },
    { target: organizationTarget, rows: network.organizations },
    { target: personTarget, rows: network.people },
    {
      target: mandateTarget,
      rows: network.mandates.map((row) => ({
        ...row,
        healthRegions: linksOf.get(row.id as number) ?? [],
      })),
    },
    { target: programTarget, rows: network.programs },
    { target: adhesionTarget, rows: network.adhesions },
    { target: instrumentStatusTarget, rows: network.instrumentStatuses },
  ];
  const rows: Record<string, number> = {};
  const actor = options.actor ?? 'demo-seed';

  const runId = await em.transactional(async (tx) => {
    const run = tx.create(ImportRun, {
      kind: 'demo',
      fileNames: [],
      sha256: createHash('sha256')
        .update(`demo seed=${options.seed} scale=${options.scale}`)
        .digest('hex'),
      status: ImportStatus.RUNNING,
      actor,
      startedAt: new Date(started),
      counts: {},
      errors: [],
      asOf: null,
      source: 'demo',
    });
    await tx.flush();
    const refs = new RefIndex(tx);
    const context = {
      em: tx,
      refs,
      viewer: systemViewer(actor),
      importRunId: run.id,
      source: 'demo',
    };
    /** Plans the rows against the database and applies them: every row a change, none skipped. */
    const write = async ({ target, rows: generated }: Step) => {
      if (generated.length === 0) {
        return;
      }
      const demoTarget = target === municipalityTarget ? target : withDemoFlag(target);
      const records = generated.map(flattener(demoTarget, keys));
      if (target.namespace) {
        // Rows it creates are registered there, for the rows after them to point at.
        await refs.load(target.namespace);
      }
      const plan = await planTarget(tx, refs, demoTarget, records);
      const expected = target === municipalityTarget ? 'update' : 'create';
      const written = plan.changes.filter((change) => change.action === expected).length;
      if (written !== records.length) {
        throw new Error(
          `demo seed: ${target.name}: ${records.length} rows planned as ${written} to ${expected} (a key repeats or is already stored)`,
        );
      }
      await applyPlans([plan], context);
      rows[target.name] = (rows[target.name] ?? 0) + written;
      if (process.env.DEMO_TIMING) {
        process.stderr.write(`${target.name} ${written} ${Date.now() - started}ms\n`);
      }
    };
    for (const step of steps) {
      await write(step);
    }
    let events = 0;
    for (const batch of network.events(2000)) {
      keys.add('Event', batch.events);
      await write({ target: eventTarget, rows: batch.events });
      await write({ target: participationTarget, rows: batch.participations });
      events += batch.events.length;
      options.onProgress?.(events, network.eventCount);
    }
    const finished = await tx.findOneOrFail(ImportRun, run.id);
    finished.status = ImportStatus.SUCCEEDED;
    finished.finishedAt = new Date();
    finished.counts = { rows: Object.values(rows).reduce((sum, count) => sum + count, 0), ...rows };
    await tx.flush();
    return run.id;
  });
  await refreshPlannerStatistics(em);
  const seconds = (Date.now() - started) / 1000;
  const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
  return {
    runId,
    rows,
    seconds,
    rowsPerSecond: Math.round(total / Math.max(seconds, 0.001)),
    summary: network.summary,
  };
}
