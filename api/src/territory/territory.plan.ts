import type { FilterQuery } from '@mikro-orm/core';
import { searchText } from '../common/text';
import type { Em } from '../db/orm';
import { UnreachableCaseError } from '../graphql/errors';
import { ImportRun, ImportStatus } from '../imports/import-run.entity';
import { HealthMacroregion } from './health-macroregion.entity';
import { HealthRegion } from './health-region.entity';
import { MunicipalityName } from './municipality-name.entity';
import { Municipality } from './municipality.entity';
import { type MembershipSpan, type RegionChangeStep, regionChangeSteps } from './region-history';
import { RegionMembership } from './region-membership.entity';
import { ufOfStateCode } from './territory.seed';
import type { ImportIssue } from '../imports/import.issues';
import type { KindContext, PlanContext } from '../imports/import.kind';
import { type Change, planTarget, type TargetPlan } from '../imports/import.plan';
import { type Flat } from '../writes/write.batch';
import { ufOfMunicipality } from '../imports/import.targets';
import { municipalityNameTarget } from './municipality-name.write';
import { regionMembershipTarget } from './region-membership.write';

/*
 * What the territory imports (territory-datasus, health-regions) share once rows are read: the
 * database's view of the states a file covers, the demo territory an official file replaces,
 * name history, region memberships, and each region's macroregion as its municipalities give it.
 */

const CHUNK = 500;

/** How many examples a summary line lists before "… and N more". */
const NOTE_EXAMPLES = 10;

/** "a, b, c … and 7 more" */
export function listed(items: string[], limit = NOTE_EXAMPLES): string {
  return items.length > limit
    ? `${items.slice(0, limit).join('; ')} … and ${items.length - limit} more`
    : items.join('; ');
}

export async function stateIdsOf(context: KindContext, ufs: Iterable<string>): Promise<number[]> {
  await context.refs.load('State');
  return [...new Set(ufs)]
    .map((uf) => context.refs.id('State', uf))
    .filter((id): id is number => id !== undefined);
}

/**
 * The day of the newest file of this kind applied with `--as-of` (reverted runs aside), or null.
 * A file of an earlier day must not overwrite what a newer one said.
 */
export async function newestFileDay(em: Em, kind: string): Promise<string | null> {
  const [run] = await em.find(
    ImportRun,
    { kind, status: ImportStatus.SUCCEEDED, asOf: { $ne: null } },
    { orderBy: { asOf: 'desc' }, limit: 1, fields: ['asOf'] },
  );
  return run?.asOf ?? null;
}

/** A municipality as the database holds it before the import. */
export interface CurrentMunicipality {
  ibgeCode: string;
  name: string;
  nameAsOf: string | null;
  uf: string;
  regionCode: string | null;
  /** The macroregion given to the municipality itself (not through its region). */
  macroregionCode: string | null;
}

/** The live municipalities of these states, by IBGE code. */
export async function currentMunicipalities(
  em: Em,
  context: KindContext,
  ufs: Iterable<string>,
): Promise<Map<string, CurrentMunicipality>> {
  const { refs } = context;
  await Promise.all([refs.load('HealthRegion'), refs.load('HealthMacroregion')]);
  const current = new Map<string, CurrentMunicipality>();
  for (const stateId of await stateIdsOf(context, ufs)) {
    const rows = await em.find(
      Municipality,
      { state: stateId, deletedAt: null },
      { fields: ['ibgeCode', 'name', 'nameAsOf', 'healthRegion', 'macroregion'] },
    );
    for (const row of rows) {
      current.set(row.ibgeCode, {
        ibgeCode: row.ibgeCode,
        name: row.name,
        nameAsOf: row.nameAsOf ?? null,
        uf: ufOfStateCode(row.ibgeCode.slice(0, 2)) ?? '',
        regionCode: refs.key('HealthRegion', row.healthRegion?.id),
        macroregionCode: refs.key('HealthMacroregion', row.macroregion?.id),
      });
    }
    em.clear();
  }
  return current;
}

/** The demo territory of the states an official file covers: replaced, never renamed. */
export interface DemoTerritory {
  /** Codes of the demo regions deleted: a municipality in one has no region any more. */
  regionCodes: Set<string>;
  /** Selects the demo regions and macroregions of those states (pruned by `planTarget`). */
  where: FilterQuery<object> | null;
  /** Soft deletes of the memberships in those regions. */
  memberships: Change[];
}

/**
 * Finds the demo regions, macroregions and memberships of the states an official territory file
 * covers. The import deletes them in its own transaction (audited, so `import:revert` brings them
 * back) and official rows take their place: an official name never lands on an invented grouping.
 */
export async function demoTerritoryOf(
  em: Em,
  context: KindContext,
  ufs: Set<string>,
): Promise<DemoTerritory> {
  const none: DemoTerritory = { regionCodes: new Set(), where: null, memberships: [] };
  if (ufs.size === 0) {
    return none;
  }
  await context.refs.load('Municipality');
  const stateIds = await stateIdsOf(context, ufs);
  const where = { state: { $in: stateIds }, demo: true, deletedAt: null };
  const regions = await em.find(HealthRegion, where, { fields: ['code'] });
  const macroregions = await em.count(HealthMacroregion, where);
  em.clear();
  if (regions.length === 0 && macroregions === 0) {
    return none;
  }
  const memberships: Change[] = [];
  for (let start = 0; start < regions.length; start += CHUNK) {
    const rows = await em.find(
      RegionMembership,
      {
        healthRegion: { $in: regions.slice(start, start + CHUNK).map((r) => r.id) },
        deletedAt: null,
      },
      { fields: ['municipality', 'validFrom'], orderBy: { id: 'asc' } },
    );
    for (const row of rows) {
      const values = {
        ibgeCode: context.refs.key('Municipality', row.municipality.id)!,
        validFrom: row.validFrom ?? null,
      };
      memberships.push({
        action: 'delete',
        key: regionMembershipTarget.keyOf(values),
        id: row.id,
        before: { deletedAt: null },
        after: { deletedAt: 'now' },
        stateUf: ufOfMunicipality(values),
      });
    }
    em.clear();
  }
  context.notes.push(
    `official territory replaces the demo's in ${[...ufs].sort().join(', ')}: ${regions.length} demo region(s), ${macroregions} demo macroregion(s) and ${memberships.length} membership(s) are deleted (import:revert brings them back)`,
  );
  return { regionCodes: new Set(regions.map((region) => region.code)), where, memberships };
}

/** `--prune`'s scope and the demo rows to replace, as one prune condition. */
export function pruneCondition(
  userPrune: FilterQuery<object> | null,
  demo: FilterQuery<object> | null,
): FilterQuery<object> | null {
  if (userPrune && demo) {
    return { $or: [userPrune, demo] };
  }
  return userPrune ?? demo;
}

/** A file's name for a municipality, and where the file says it. */
export interface FileName {
  ibgeCode: string;
  name: string;
  at: Pick<ImportIssue, 'file' | 'line' | 'column'>;
}

/**
 * Names change over time, so a name is a fact of a day: every name a file gives is recorded in
 * the municipality's name history with the days it was given on, and the current name is the one
 * given on the newest day (`nameAsOf`, the day of the source that set it, or a later day its
 * history records). A file of an earlier day never renames the municipality; its spelling is
 * kept as an earlier name. A file without a date
 * (`--as-of`) cannot tell which is newer: a name it would change is refused, file:line.
 * Returns the name history's plan and the municipality fields to change.
 */
export async function planNames(
  em: Em,
  context: KindContext,
  names: FileName[],
  current: Map<string, CurrentMunicipality>,
): Promise<{ plan: TargetPlan; municipalities: Map<string, Flat> }> {
  const { refs, asOf, asOfGiven } = context;
  const ids = names.flatMap((row) => refs.id('Municipality', row.ibgeCode) ?? []);
  const known = new Map<string, { knownFrom: string | null; knownTo: string | null }>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    const rows = await em.find(MunicipalityName, {
      municipality: { $in: ids.slice(start, start + CHUNK) },
      deletedAt: null,
    });
    for (const row of rows) {
      known.set(`${refs.key('Municipality', row.municipality.id)}|${row.name}`, {
        knownFrom: row.knownFrom ?? null,
        knownTo: row.knownTo ?? null,
      });
    }
    em.clear();
  }
  const desired = new Map<string, Flat>();
  const record = (ibgeCode: string, name: string, from: string | null, to: string | null) => {
    const key = `${ibgeCode}|${name}`;
    const was = desired.get(key) ?? known.get(key);
    const earliest = [was?.knownFrom, from].filter((d): d is string => typeof d === 'string');
    const latest = [was?.knownTo, to].filter((d): d is string => typeof d === 'string');
    desired.set(key, {
      ibgeCode,
      name,
      knownFrom: earliest.sort()[0] ?? null,
      knownTo: latest.sort().at(-1) ?? null,
    });
  };
  const municipalities = new Map<string, Flat>();
  const renamed: string[] = [];
  const kept: string[] = [];
  for (const row of names) {
    const now = current.get(row.ibgeCode);
    if (!now) {
      // A municipality the database does not have yet: the file names it.
      municipalities.set(row.ibgeCode, {
        name: row.name,
        nameSearch: searchText(row.name),
        nameAsOf: asOfGiven ? asOf : null,
      });
      record(row.ibgeCode, row.name, asOfGiven ? asOf : null, asOfGiven ? asOf : null);
      continue;
    }
    // The newest day the current name was given on: by the source that set it, or a later one.
    const since =
      [now.nameAsOf, known.get(`${row.ibgeCode}|${now.name}`)?.knownTo]
        .filter((day): day is string => typeof day === 'string')
        .sort()
        .at(-1) ?? null;
    if (!asOfGiven) {
      if (row.name !== now.name && since !== null) {
        context.issues.add({
          ...row.at,
          message: `the file says "${row.name}", the database "${now.name}" (given on ${since}); a file without a date cannot tell which is newer: give --as-of YYYY-MM-DD, the day the file is true on (an earlier day keeps "${now.name}" and records "${row.name}" as an earlier name)`,
        });
      } else if (row.name !== now.name) {
        // Neither name has a date: the file is the newest word.
        municipalities.set(row.ibgeCode, { name: row.name, nameSearch: searchText(row.name) });
        record(row.ibgeCode, now.name, null, null);
        record(row.ibgeCode, row.name, null, null);
        renamed.push(`${row.ibgeCode} "${now.name}" → "${row.name}"`);
      }
      continue;
    }
    record(row.ibgeCode, row.name, asOf, asOf);
    if (row.name === now.name) {
      // Confirmed: the name history says until when (knownTo).
    } else if (since === null || asOf >= since) {
      municipalities.set(row.ibgeCode, {
        name: row.name,
        nameSearch: searchText(row.name),
        nameAsOf: asOf,
      });
      if (!known.has(`${row.ibgeCode}|${now.name}`)) {
        record(row.ibgeCode, now.name, since, since);
      }
      renamed.push(`${row.ibgeCode} "${now.name}" → "${row.name}"`);
    } else {
      kept.push(`${row.ibgeCode} "${now.name}" (given on ${since}) over "${row.name}"`);
    }
  }
  if (renamed.length > 0) {
    context.notes.push(`${renamed.length} municipality name(s) change: ${listed(renamed)}`);
  }
  if (kept.length > 0) {
    context.notes.push(
      `${kept.length} name(s) in the file are older than the database's (the file is true on ${asOf}): the newer names stay and the file's are recorded as earlier names: ${listed(kept)}`,
    );
  }
  const plan = await planTarget(em, refs, municipalityNameTarget, [...desired.values()]);
  return { plan, municipalities };
}

/**
 * Each region's macroregion as its municipalities give it: the one they all share, or none
 * when they disagree (noted, with the counts). `members` lists, per region, the macroregion of
 * each of its municipalities (null: not given).
 */
export function macroregionsOfRegions(
  members: Map<string, (string | null)[]>,
  notes: string[],
): Map<string, string | null> {
  const result = new Map<string, string | null>();
  const split: string[] = [];
  for (const [region, macroregions] of members) {
    const counts = new Map<string, number>();
    for (const macroregion of macroregions) {
      if (macroregion !== null) {
        counts.set(macroregion, (counts.get(macroregion) ?? 0) + 1);
      }
    }
    if (counts.size === 1) {
      result.set(region, [...counts.keys()][0]!);
    } else if (counts.size > 1) {
      result.set(region, null);
      split.push(
        `${region} (${[...counts]
          .sort()
          .map(([code, n]) => `${code}: ${n}`)
          .join(', ')})`,
      );
    }
  }
  if (split.length > 0) {
    notes.push(
      `${split.length} region(s) have municipalities in more than one macroregion, so the region's macroregion is left empty and each municipality keeps its own: ${listed(split)}`,
    );
  }
  return result;
}

/** A municipality's region as a file gives it. */
export interface RegionRow {
  ibgeCode: string;
  regionCode: string;
  regionName: string;
  macroCode: string | null;
}

/** One flat region per code, with its macroregion when `macroregionOf` knows it. */
export function regionsOf(
  rows: RegionRow[],
  macroregionOf: ((regionCode: string) => string | null | undefined) | null,
): Flat[] {
  const regions = new Map<string, Flat>();
  for (const row of rows) {
    if (!regions.has(row.regionCode)) {
      const macroregion = macroregionOf?.(row.regionCode);
      regions.set(row.regionCode, {
        code: row.regionCode,
        name: row.regionName,
        nameSearch: searchText(row.regionName),
        stateUf: ufOfStateCode(row.regionCode.slice(0, 2)) ?? null,
        ...(macroregion !== undefined ? { macroregionCode: macroregion } : {}),
        demo: false,
      });
    }
  }
  return [...regions.values()];
}

/**
 * A municipality that changes region keeps its old membership, closed on `asOf`, and gets a new
 * one from `asOf`: history is never overwritten. The steps are those of a region change by
 * mutation (`regionChangeSteps`); a file that contradicts the recorded history (an `--as-of`
 * before the current membership began) is refused with the municipality named. Memberships in
 * the demo regions the import replaces are not history: they are deleted (`demo.memberships`),
 * and a municipality in such a region starts its official history with no region before.
 */
export async function planMemberships(
  em: Em,
  rows: RegionRow[],
  context: PlanContext,
  demo: DemoTerritory,
): Promise<TargetPlan> {
  const { history, regionNow } = await recordedHistory(em, rows, context.refs, demo);
  const plan: TargetPlan = {
    target: regionMembershipTarget,
    changes: [...demo.memberships],
    unchanged: 0,
  };
  for (const row of rows) {
    const spans = history.get(row.ibgeCode) ?? [];
    // With no recorded history, the municipality has always been in its current region.
    const from =
      spans.length === 0
        ? (regionNow.get(row.ibgeCode) ?? null)
        : (spans.find((span) => span.validTo === null)?.regionCode ?? null);
    const result = regionChangeSteps({
      from,
      to: row.regionCode,
      effectiveFrom: context.asOf,
      memberships: spans,
    });
    if ('problem' in result) {
      context.issues.add({
        file: 'region history',
        line: 0,
        column: row.ibgeCode,
        message: result.problem,
      });
    } else if (result.steps.length === 0) {
      plan.unchanged += 1;
    } else {
      plan.changes.push(...membershipChanges(row.ibgeCode, spans, result.steps));
    }
  }
  return plan;
}

/**
 * The official memberships recorded for the file's municipalities (demo regions left out), and
 * each one's region now, read a chunk of municipalities at a time.
 */
async function recordedHistory(
  em: Em,
  rows: RegionRow[],
  refs: PlanContext['refs'],
  demo: DemoTerritory,
): Promise<{ history: Map<string, MembershipSpan[]>; regionNow: Map<string, string | null> }> {
  const ids = rows
    .map((row) => refs.id('Municipality', row.ibgeCode))
    .filter((id): id is number => id !== undefined);
  const history = new Map<string, MembershipSpan[]>();
  const regionNow = new Map<string, string | null>();
  for (let start = 0; start < ids.length; start += CHUNK) {
    const slice = ids.slice(start, start + CHUNK);
    const memberships = await em.find(RegionMembership, {
      municipality: { $in: slice },
      deletedAt: null,
    });
    for (const membership of memberships) {
      const regionCode = refs.key('HealthRegion', membership.healthRegion.id)!;
      if (demo.regionCodes.has(regionCode)) {
        continue;
      }
      const ibgeCode = refs.key('Municipality', membership.municipality.id)!;
      const spans = history.get(ibgeCode) ?? [];
      spans.push({
        id: membership.id,
        regionCode,
        validFrom: membership.validFrom ?? null,
        validTo: membership.validTo ?? null,
      });
      history.set(ibgeCode, spans);
    }
    const municipalities = await em.find(
      Municipality,
      { id: { $in: slice } },
      { fields: ['ibgeCode', 'healthRegion'] },
    );
    for (const municipality of municipalities) {
      const regionCode = refs.key('HealthRegion', municipality.healthRegion?.id);
      regionNow.set(
        municipality.ibgeCode,
        regionCode === null || demo.regionCodes.has(regionCode) ? null : regionCode,
      );
    }
    em.clear();
  }
  return { history, regionNow };
}

/** The plan's changes for one municipality's region-change steps. */
function membershipChanges(
  ibgeCode: string,
  spans: MembershipSpan[],
  steps: RegionChangeStep[],
): Change[] {
  const stateUf = ufOfMunicipality({ ibgeCode });
  const keyOf = (validFrom: string | null) => regionMembershipTarget.keyOf({ ibgeCode, validFrom });
  const spanOf = (id: number) => spans.find((span) => span.id === id)!;
  return steps.map((step): Change => {
    switch (step.kind) {
      case 'close':
        return {
          action: 'update',
          key: keyOf(spanOf(step.membershipId).validFrom),
          id: step.membershipId,
          before: { validTo: null },
          after: { validTo: step.validTo },
          stateUf,
        };
      case 'retarget':
        return {
          action: 'update',
          key: keyOf(spanOf(step.membershipId).validFrom),
          id: step.membershipId,
          before: { healthRegionCode: spanOf(step.membershipId).regionCode },
          after: { healthRegionCode: step.regionCode },
          stateUf,
        };
      case 'open':
        return {
          action: 'create',
          key: keyOf(step.validFrom),
          id: null,
          before: null,
          after: {
            ibgeCode,
            healthRegionCode: step.regionCode,
            validFrom: step.validFrom,
            validTo: step.validTo,
          },
          stateUf,
        };
      default:
        throw new UnreachableCaseError(step);
    }
  });
}

/** The demo memberships alone, when the file gives no regions to plan memberships for. */
export function demoMembershipPlan(demo: DemoTerritory): TargetPlan[] {
  return demo.memberships.length === 0
    ? []
    : [{ target: regionMembershipTarget, changes: [...demo.memberships], unchanged: 0 }];
}

/** Municipalities of the covered states a file leaves out, as a summary line. */
export function notInFile(
  current: Map<string, CurrentMunicipality>,
  inFile: Set<string>,
  consequence: string,
): string | null {
  const missing = [...current.values()].filter((m) => !inFile.has(m.ibgeCode));
  return missing.length === 0
    ? null
    : `${missing.length} municipality(ies) of the states the file covers are not in it (${listed(missing.map((m) => `${m.ibgeCode} ${m.name}/${m.uf}`))}): ${consequence}`;
}
