import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { EventKind, Modality } from './activity.enums';
import { Event } from './event.entity';
import { Organization } from '../people/organization.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import { endsBeforeItStarts, type Flat, refProblems, statesNamed } from '../writes/write.batch';
import {
  ibgeCode,
  localDate,
  naturalKey,
  regionCode,
  rowIdentity,
  text,
  uf,
} from '../writes/write.fields';
import { byCode, codeKey, loadRows, orNational, writeSpec } from '../writes/write.spec';
import { importTarget, specFields, ufOfCode } from '../imports/import.targets';
import { auditStateUf } from '../audit/audit.service';

const count = z.number().int().min(0, 'Must be 0 or more');

export const eventWrites = writeSpec<Event>({
  typeName: 'Event',
  entity: Event,
  requiredOnCreate: ['kind', 'title', 'startDate', 'modality'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(80).nullish().describe('Natural key.'),
    kind: z.enum(EventKind).nullish(),
    title: text(500).nullish(),
    startDate: localDate.nullish(),
    endDate: localDate.nullish(),
    modality: z.enum(Modality).nullish(),
    organizationCode: naturalKey(50).nullish(),
    stateUf: uf.nullish(),
    healthRegionCode: regionCode.nullish(),
    municipalityIbgeCode: ibgeCode.nullish(),
    topics: z.array(text(100)).max(50).nullish(),
    participantCount: count.max(1_000_000, 'At most 1,000,000 participants').nullish(),
    accessCount: count.max(100_000_000, 'At most 100,000,000 accesses').nullish(),
    notes: z.string().max(10_000).nullish(),
  }),
  keyOf: codeKey,
  load: loadRows(Event, byCode, ['organization', 'state', 'healthRegion', 'municipality']),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'organizationCode', Organization, 'code');
    await batch.loadNamed(drafts, 'healthRegionCode', HealthRegion, 'code');
    await batch.loadNamed(drafts, 'municipalityIbgeCode', Municipality, 'ibgeCode');
  },
  snapshot: (row) => ({
    code: row.code ?? null,
    kind: row.kind,
    title: row.title,
    startDate: row.startDate,
    endDate: row.endDate ?? null,
    modality: row.modality,
    organizationCode: row.organization?.unwrap().code ?? null,
    stateUf: row.state?.unwrap().uf ?? null,
    healthRegionCode: row.healthRegion?.unwrap().code ?? null,
    municipalityIbgeCode: row.municipality?.unwrap().ibgeCode ?? null,
    topics: row.topics,
    participantCount: row.participantCount ?? null,
    accessCount: row.accessCount ?? null,
    notes: row.notes ?? null,
  }),
  rowRules(draft, ufOfCode) {
    const problems = endsBeforeItStarts(draft);
    if (eventUfs(draft, ufOfCode).length > 1) {
      problems.push({
        field: 'stateUf',
        message: 'The state, region and municipality are in different states',
      });
    }
    return problems;
  },
  check(draft, _before, batch) {
    return refProblems(draft, batch, [
      ['organizationCode', Organization, 'organisation'],
      ['stateUf', 'State'],
      ['healthRegionCode', HealthRegion, 'health region'],
      ['municipalityIbgeCode', Municipality, 'municipality'],
    ]);
  },
  ufsOf: (flat: Flat, batch) => eventStates(flat, (code) => batch.ufOfCode(code)),
  create: () => new Event(),
  write(row, draft, batch) {
    const maybe = <T extends object>(value: T | undefined) => (value ? ref(value) : null);
    row.code = (draft.code as string | null | undefined) ?? null;
    row.kind = draft.kind as EventKind;
    row.title = draft.title as string;
    row.startDate = draft.startDate as string;
    row.endDate = (draft.endDate as string | null | undefined) ?? null;
    row.modality = draft.modality as Modality;
    row.organization = maybe(batch.ref(Organization, draft.organizationCode as string | null));
    const stateUf = eventStateUf(draft, (code) => batch.ufOfCode(code));
    row.state = maybe(stateUf ? batch.state(stateUf) : undefined);
    row.healthRegion = maybe(batch.ref(HealthRegion, draft.healthRegionCode as string | null));
    row.municipality = maybe(batch.ref(Municipality, draft.municipalityIbgeCode as string | null));
    row.topics = (draft.topics as string[] | null | undefined) ?? [];
    row.participantCount = (draft.participantCount as number | null | undefined) ?? null;
    row.accessCount = (draft.accessCount as number | null | undefined) ?? null;
    row.notes = (draft.notes as string | null | undefined) ?? null;
  },
});

/**
 * An event's state: the one it names, else the state of its region or municipality (one rule
 * for mutations and imports), or null for a national event.
 */
export function eventStateUf(
  flat: Flat,
  ufOfCode: (code: string | null | undefined) => string | null,
): string | null {
  return (flat.stateUf as string | null | undefined) ?? eventUfs(flat, ufOfCode)[0] ?? null;
}

/** The states an event's state, region and municipality name (their codes start with it). */
function eventUfs(flat: Flat, ufOfCode: (code: string | null | undefined) => string | null) {
  return statesNamed(flat.stateUf, [flat.healthRegionCode, flat.municipalityIbgeCode], ufOfCode);
}

/** The states an event belongs to (`ufsOf`), or, with no territory, the whole country. */
export const eventStates = (
  flat: Flat,
  ufOfCode: (code: string | null | undefined) => string | null,
): string[] => orNational(eventUfs(flat, ufOfCode));

/** How the import engine writes Event rows (flat, related rows by natural key). */
export const eventTarget = importTarget(
  Event,
  specFields(
    eventWrites,
    `organizationCode=organization:Organization stateUf=state:State
     healthRegionCode=healthRegion:HealthRegion municipalityIbgeCode=municipality:Municipality`,
  ),
  {
    namespace: 'Event',
    lookup: 'code',
    // The audit log's state, as a mutation's entry has it (`ufsOf`).
    stateUfOf: (values) => auditStateUf(eventStates(values, ufOfCode)),
  },
);
