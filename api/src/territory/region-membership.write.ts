import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { HealthRegion } from './health-region.entity';
import { Municipality } from './municipality.entity';
import { describeSpan, spansOverlap, type MembershipSpan } from './region-history';
import { RegionMembership } from './region-membership.entity';
import { type Batch, type FieldProblem, type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, localDate, regionCode, rowIdentity } from '../writes/write.fields';
import { loadRows, stateOfCode, writeSpec } from '../writes/write.spec';
import { importTarget, specFields, ufOfMunicipality } from '../imports/import.targets';

function keyOf(flat: Flat): string | null {
  return typeof flat.ibgeCode === 'string' && typeof flat.healthRegionCode === 'string'
    ? `${flat.ibgeCode}|${flat.healthRegionCode}|${(flat.validFrom as string | null | undefined) ?? ''}`
    : null;
}

function flatOf(row: RegionMembership): Flat {
  return {
    ibgeCode: row.municipality.unwrap().ibgeCode,
    healthRegionCode: row.healthRegion.unwrap().code,
    validFrom: row.validFrom ?? null,
    validTo: row.validTo ?? null,
  };
}

const SPANS = 'regionMembership.spans';
const ROWS = 'regionMembership.rows';

/** The live memberships of a municipality of the batch (loaded by `loadMembershipSpans`). */
export function spansOf(batch: Batch, ibge: string): MembershipSpan[] {
  const all = batch.scratch.get(SPANS) as Map<string, MembershipSpan[]> | undefined;
  return all?.get(ibge) ?? [];
}

/** Loads the live memberships of these municipalities into the batch: one statement. */
export async function loadMembershipSpans(batch: Batch, ibgeCodes: Iterable<string>) {
  let all = batch.scratch.get(SPANS) as Map<string, MembershipSpan[]> | undefined;
  if (!all) {
    all = new Map();
    batch.scratch.set(SPANS, all);
    batch.scratch.set(ROWS, new Map());
  }
  const byId = batch.scratch.get(ROWS) as Map<number, RegionMembership>;
  const wanted = [...new Set(ibgeCodes)].filter((code) => !all.has(code));
  if (wanted.length === 0) {
    return;
  }
  wanted.forEach((code) => all.set(code, []));
  const rows = await batch.em.find(
    RegionMembership,
    { municipality: { ibgeCode: { $in: wanted } }, deletedAt: null },
    { populate: ['municipality', 'healthRegion'] },
  );
  for (const row of rows) {
    all.get(row.municipality.unwrap().ibgeCode)!.push(spanOf(row));
    byId.set(row.id, row);
  }
}

/** A membership loaded by `loadMembershipSpans`. */
export function loadedMembership(batch: Batch, id: number): RegionMembership {
  const row = (batch.scratch.get(ROWS) as Map<number, RegionMembership> | undefined)?.get(id);
  if (!row) {
    throw new Error(`Region membership ${id} was not loaded for this batch`);
  }
  return row;
}

export function spanOf(row: RegionMembership): MembershipSpan {
  return {
    id: row.id ?? null,
    regionCode: row.healthRegion.unwrap().code,
    validFrom: row.validFrom ?? null,
    validTo: row.validTo ?? null,
  };
}

/** Replaces (or adds) a membership's span in the batch, so later rows see it. */
export function rememberSpan(
  batch: Batch,
  ibge: string,
  previous: number | null,
  span: MembershipSpan,
) {
  const all = batch.scratch.get(SPANS) as Map<string, MembershipSpan[]> | undefined;
  const spans = (all?.get(ibge) ?? []).filter((s) => previous === null || s.id !== previous);
  spans.push(span);
  all?.set(ibge, spans);
}

/**
 * A municipality's membership of a health region over `[validFrom, validTo)` (natural key:
 * municipality × region × validFrom). Memberships of one municipality never overlap, and the
 * open one (no `validTo`) is its current region: moving a municipality is `updateMunicipality`
 * with a new `healthRegionCode`, which closes and opens memberships itself.
 */
export const regionMembershipWrites = writeSpec<RegionMembership>({
  typeName: 'RegionMembership',
  entity: RegionMembership,
  requiredOnCreate: ['ibgeCode', 'healthRegionCode'],
  schema: z
    .object({
      ...rowIdentity,
      ibgeCode: ibgeCode.nullish().describe('Municipality IBGE code.'),
      healthRegionCode: regionCode.nullish(),
      validFrom: localDate.nullish().describe('YYYY-MM-DD; null: since always.'),
      validTo: localDate.nullish().describe('YYYY-MM-DD, exclusive; null: current.'),
    })
    .describe(
      'Natural key: municipality × region × validFrom. Spans are [validFrom, validTo): validTo is the first day in the next region.',
    ),
  keyOf,
  load: loadRows(
    RegionMembership,
    (keys) => [{ municipality: { ibgeCode: { $in: keys.map((key) => key.split('|')[0]!) } } }],
    ['municipality', 'healthRegion'],
    (row) => keyOf(flatOf(row)),
  ),
  async prepare(batch, drafts) {
    const codes = drafts.map((d) => d.ibgeCode as string | null | undefined);
    await batch.loadNamed(drafts, 'ibgeCode', Municipality, 'ibgeCode', ['healthRegion']);
    await batch.loadNamed(drafts, 'healthRegionCode', HealthRegion, 'code', ['state']);
    await loadMembershipSpans(
      batch,
      codes.filter((code): code is string => typeof code === 'string'),
    );
  },
  snapshot: flatOf,
  check(draft, before, batch, selfId) {
    const problems: FieldProblem[] = [];
    const ibge = draft.ibgeCode as string;
    const code = draft.healthRegionCode as string;
    const validFrom = (draft.validFrom as string | null | undefined) ?? null;
    const validTo = (draft.validTo as string | null | undefined) ?? null;
    if (before && before.ibgeCode !== ibge) {
      problems.push({
        field: 'ibgeCode',
        message: 'The municipality of a membership cannot change; create another membership',
      });
    }
    const inState = (region: HealthRegion) =>
      region.state.unwrap().uf === batch.ufOfCode(ibge)
        ? null
        : `Region ${code} is in ${region.state.unwrap().uf}, the municipality in ${batch.ufOfCode(ibge) ?? 'no state'}`;
    const liveKey = { required: true, live: true };
    problems.push(
      ...refProblems(draft, batch, [
        ['ibgeCode', Municipality, 'municipality', liveKey],
        ['healthRegionCode', HealthRegion, 'health region', { ...liveKey, then: inState }],
      ]),
    );
    if (validFrom !== null && validTo !== null && validTo <= validFrom) {
      problems.push({
        field: 'validTo',
        message: `validTo (${validTo}) is the first day outside the region, so it must come after validFrom (${validFrom})`,
      });
    }
    if (problems.length > 0) {
      return problems;
    }
    const current = batch.ref(Municipality, ibge)!.healthRegion?.unwrap().code ?? null;
    if (validTo === null && current !== code) {
      problems.push({
        field: 'validTo',
        message: `An open membership (no validTo) is the municipality's current region, which is ${current ?? 'none'}, not ${code}; change the region with updateMunicipality`,
      });
    }
    const span = { id: selfId, regionCode: code, validFrom, validTo };
    const clash = spansOf(batch, ibge).find(
      (other) => other.id !== selfId && spansOverlap(span, other),
    );
    if (clash) {
      problems.push({
        field: 'validFrom',
        message: `Overlaps the membership ${describeSpan(clash)} of ${ibge}: memberships of one municipality cannot share a day`,
      });
    }
    return problems;
  },
  ufsOf: stateOfCode('ibgeCode'),
  create: () => new RegionMembership(),
  write(row, draft, batch) {
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.healthRegion = ref(batch.ref(HealthRegion, draft.healthRegionCode as string)!);
    row.validFrom = (draft.validFrom as string | null | undefined) ?? null;
    row.validTo = (draft.validTo as string | null | undefined) ?? null;
  },
  afterWrite(row, draft, batch) {
    rememberSpan(batch, draft.ibgeCode as string, row.id ?? null, {
      ...spanOf(row),
      id: row.id ?? -1,
    });
  },
});

/** How the import engine writes RegionMembership rows (flat, related rows by natural key). */
export const regionMembershipTarget = importTarget(
  RegionMembership,
  specFields(
    regionMembershipWrites,
    'ibgeCode=municipality:Municipality healthRegionCode=healthRegion:HealthRegion',
  ),
  {
    keyFields: 'ibgeCode validFrom',
    lookup: 'ibgeCode',
    stateUfOf: ufOfMunicipality,
  },
);
