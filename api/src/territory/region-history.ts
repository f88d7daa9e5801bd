/**
 * A municipality's region history: spans `[validFrom, validTo)` like mandates (see
 * `analytics/point-in-time.ts`), so closing one span on day D and opening the next on D leaves
 * neither a gap nor an overlap. `validFrom: null` means "since before any record".
 */
export interface MembershipSpan {
  /** Row id of an existing membership; null for one not written yet. */
  id: number | null;
  regionCode: string;
  validFrom: string | null;
  validTo: string | null;
}

export type RegionChangeStep =
  /** End an existing membership on `validTo` (exclusive: the first day in the new region). */
  | { kind: 'close'; membershipId: number; validTo: string }
  /** The current membership began on the effective day itself: correct its region instead. */
  | { kind: 'retarget'; membershipId: number; regionCode: string }
  /** A new membership. */
  | { kind: 'open'; regionCode: string; validFrom: string | null; validTo: string | null };

export type RegionChangePlan = { steps: RegionChangeStep[] } | { problem: string };

/** Whether two spans share a day. */
export function spansOverlap(a: MembershipSpan, b: MembershipSpan): boolean {
  const startsBeforeEnd = (x: MembershipSpan, y: MembershipSpan) =>
    x.validFrom === null || y.validTo === null || x.validFrom < y.validTo;
  return startsBeforeEnd(a, b) && startsBeforeEnd(b, a);
}

/** The first pair of spans that share a day, if any. */
export function firstOverlap(
  spans: readonly MembershipSpan[],
): [MembershipSpan, MembershipSpan] | null {
  for (let i = 0; i < spans.length; i += 1) {
    for (let j = i + 1; j < spans.length; j += 1) {
      if (spansOverlap(spans[i]!, spans[j]!)) {
        return [spans[i]!, spans[j]!];
      }
    }
  }
  return null;
}

export function describeSpan(span: MembershipSpan): string {
  return `${span.regionCode} [${span.validFrom ?? '…'}, ${span.validTo ?? '…'})`;
}

/**
 * What moving a municipality from region `from` to region `to` on `effectiveFrom` does to its
 * live (not deleted) memberships: the current one is closed on that day and a new one opens,
 * history is never overwritten. A municipality without any history gets its old region recorded
 * first (`[null, effectiveFrom)`), since "no history" reads as "always in the current region".
 * Used by `updateMunicipality`/`upsertMunicipalities`; the health-regions import can call it too.
 */
export function regionChangeSteps(change: {
  from: string | null;
  to: string | null;
  effectiveFrom: string;
  memberships: readonly MembershipSpan[];
}): RegionChangePlan {
  const { from, to, effectiveFrom, memberships } = change;
  if (from === to) {
    return { steps: [] };
  }
  const open = memberships
    .filter((span) => span.validTo === null)
    .sort((a, b) => (a.validFrom ?? '').localeCompare(b.validFrom ?? ''))
    .at(-1);
  const steps: RegionChangeStep[] = [];
  const after: MembershipSpan[] = memberships.filter((span) => span !== open);
  if (open) {
    if (open.validFrom !== null && effectiveFrom < open.validFrom) {
      return {
        problem: `effectiveFrom ${effectiveFrom} is before the current membership began (${describeSpan(open)}); give a later date or correct the history with updateRegionMembership`,
      };
    }
    if (open.validFrom === effectiveFrom) {
      if (to === null) {
        return {
          problem: `The current membership ${describeSpan(open)} began on ${effectiveFrom}; delete it with deleteRegionMembership to clear the region from that day`,
        };
      }
      steps.push({ kind: 'retarget', membershipId: open.id!, regionCode: to });
      after.push({ ...open, regionCode: to });
    } else {
      steps.push({ kind: 'close', membershipId: open.id!, validTo: effectiveFrom });
      after.push({ ...open, validTo: effectiveFrom });
    }
  } else if (memberships.length === 0 && from !== null) {
    steps.push({ kind: 'open', regionCode: from, validFrom: null, validTo: effectiveFrom });
    after.push({ id: null, regionCode: from, validFrom: null, validTo: effectiveFrom });
  }
  if (to !== null && steps.at(-1)?.kind !== 'retarget') {
    steps.push({ kind: 'open', regionCode: to, validFrom: effectiveFrom, validTo: null });
    after.push({ id: null, regionCode: to, validFrom: effectiveFrom, validTo: null });
  }
  const overlap = firstOverlap(after);
  if (overlap) {
    return {
      problem: `Moving on ${effectiveFrom} would overlap memberships ${describeSpan(overlap[0])} and ${describeSpan(overlap[1])}; correct the history with updateRegionMembership first`,
    };
  }
  return { steps };
}
