import { createHash } from 'node:crypto';
import { eventTarget } from '../../api/src/activity/event.write';
import { participationTarget } from '../../api/src/activity/participation.write';
import { systemViewer } from '../../api/src/auth/viewer';
import { type Em, type Orm, refreshPlannerStatistics } from '../../api/src/db/orm';
import { closeRun, openRun } from '../../api/src/imports/import.engine';
import { applyPlans, planTarget } from '../../api/src/imports/import.plan';
import { RefIndex, type Target } from '../../api/src/imports/import.targets';
import { mandateTarget } from '../../api/src/people/mandate.write';
import { Organization } from '../../api/src/people/organization.entity';
import { organizationTarget } from '../../api/src/people/organization.write';
import { Person } from '../../api/src/people/person.entity';
import { personTarget } from '../../api/src/people/person.write';
import { adhesionTarget } from '../../api/src/programs/adhesion.write';
import { instrumentStatusTarget } from '../../api/src/programs/instrument-status.write';
import { Program } from '../../api/src/programs/program.entity';
import { programTarget } from '../../api/src/programs/program.write';
import { HealthMacroregion } from '../../api/src/territory/health-macroregion.entity';
import { healthMacroregionTarget } from '../../api/src/territory/health-macroregion.write';
import { HealthRegion } from '../../api/src/territory/health-region.entity';
import { healthRegionTarget } from '../../api/src/territory/health-region.write';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { municipalityTarget } from '../../api/src/territory/municipality.write';
import { regionMembershipTarget } from '../../api/src/territory/region-membership.write';
import { State } from '../../api/src/territory/state.entity';
import { buildDemoNetwork, type DemoOptions, type DemoTerritory, type Row } from './demo.network';

export interface DemoSeedResult {
  /** The import run the network was written under (`import:revert` undoes it). */
  runId: number;
  rows: Record<string, number>;
  seconds: number;
  rowsPerSecond: number;
  summary: Record<string, { regions: number; apoiadores: number }>;
}

/** The live territory the generator builds on, by natural key, in the order it was stored. */
export async function readDemoTerritory(em: Em): Promise<DemoTerritory> {
  const live = { deletedAt: null };
  const byId = { orderBy: { id: 'asc' } } as const;
  const [states, municipalities, regions, macroregions, organizations, programs] =
    await Promise.all([
      em.find(State, live, byId),
      em.find(Municipality, live, { ...byId, populate: ['state', 'healthRegion'] }),
      em.find(HealthRegion, live, { ...byId, populate: ['state'] }),
      em.find(HealthMacroregion, live, { ...byId, populate: ['state'] }),
      em.find(Organization, {}, byId),
      em.find(Program, {}, byId),
    ]);
  return {
    states: states.map(({ uf, ibgeCode, name }) => ({ uf, ibgeCode, name })),
    municipalities: municipalities.map((m) => ({
      ibgeCode: m.ibgeCode,
      name: m.name,
      stateUf: m.state.getEntity().uf,
      isCapital: m.isCapital,
      healthRegionCode: m.healthRegion?.getEntity().code ?? null,
    })),
    regions: regions.map((r) => ({ code: r.code, stateUf: r.state.getEntity().uf })),
    macroregionStates: macroregions.map((m) => m.state.getEntity().uf),
    organizationCodes: organizations.map((o) => o.code),
    programCodes: programs.map((p) => p.code),
  };
}

/** A target that also writes the entity's `demo` flag (official files never set it). */
function withDemoFlag(target: Target): Target {
  return target.fields.some((field) => field.name === 'demo')
    ? target
    : { ...target, fields: [...target.fields, { name: 'demo', property: 'demo', type: 'scalar' }] };
}

/**
 * Builds the fictional network on an empty network and writes it the way an import writes a
 * file: each entity's flat rows planned against the database and applied by `applyPlans`
 * through its import target (new rows as multi-row inserts, each with its audit entry), all
 * under one import run of kind `demo`, in one transaction.
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
  const network = buildDemoNetwork(await readDemoTerritory(em), options);
  const rows: Record<string, number> = {};
  const actor = options.actor ?? 'demo-seed';

  const { runId, total } = await em.transactional(async (tx) => {
    const runId = await openRun(
      tx,
      {
        kind: 'demo',
        fileNames: [],
        sha256: createHash('sha256')
          .update(`demo seed=${options.seed} scale=${options.scale}`)
          .digest('hex'),
        actor,
        asOf: null,
        source: 'demo',
      },
      new Date(started),
    );
    const refs = new RefIndex(tx);
    const context = {
      em: tx,
      refs,
      viewer: systemViewer(actor),
      importRunId: runId,
      source: 'demo',
    };
    /** Plans the rows against the database and applies them: every row a change, none skipped. */
    const write = async (target: Target, records: Row[]) => {
      if (records.length === 0) {
        return;
      }
      const update = target === municipalityTarget;
      const demoTarget = update ? target : withDemoFlag(target);
      // Every row, not the first: rows of one entity differ in fields (an event's kind gives its own).
      const written = new Set(demoTarget.fields.map((field) => field.name));
      const unknown = new Set(
        records.flatMap((record) => Object.keys(record).filter((name) => !written.has(name))),
      );
      if (unknown.size > 0) {
        throw new Error(
          `demo seed: ${target.name} has no field ${[...unknown].join(', ')} to write`,
        );
      }
      if (target.namespace) {
        // Rows it creates are registered there, for the rows after them to point at.
        await refs.load(target.namespace);
      }
      const plan = await planTarget(tx, refs, demoTarget, records);
      const expected = update ? 'update' : 'create';
      const changed = plan.changes.filter((change) => change.action === expected).length;
      if (changed !== records.length) {
        throw new Error(
          `demo seed: ${target.name}: ${records.length} rows planned as ${changed} to ${expected} (a key repeats or is already stored)`,
        );
      }
      await applyPlans([plan], context);
      rows[target.name] = (rows[target.name] ?? 0) + changed;
      if (process.env.DEMO_TIMING) {
        process.stderr.write(`${target.name} ${changed} ${Date.now() - started}ms\n`);
      }
    };
    await write(healthMacroregionTarget, network.macroregions);
    await write(healthRegionTarget, network.regions);
    await write(municipalityTarget, network.regionLinks);
    await write(regionMembershipTarget, network.memberships);
    await write(organizationTarget, network.organizations);
    await write(personTarget, network.people);
    await write(mandateTarget, network.mandates);
    await write(programTarget, network.programs);
    await write(adhesionTarget, network.adhesions);
    await write(instrumentStatusTarget, network.instrumentStatuses);
    let events = 0;
    for (const batch of network.events(2000)) {
      await write(eventTarget, batch.events);
      await write(participationTarget, batch.participations);
      events += batch.events.length;
      options.onProgress?.(events, network.eventCount);
    }
    const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
    await closeRun(tx, runId, { rows: total, ...rows });
    return { runId, total };
  });
  await refreshPlannerStatistics(em);
  const seconds = (Date.now() - started) / 1000;
  return {
    runId,
    rows,
    seconds,
    rowsPerSecond: Math.round(total / Math.max(seconds, 0.001)),
    summary: network.summary,
  };
}
