import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { scopedUf } from '../auth/policy';
import { Mandate } from './mandate.entity';
import { Organization } from './organization.entity';
import { MandateRole, SeatType } from './people.enums';
import { Person } from './person.entity';
import { HealthRegion } from '../territory/health-region.entity';
import { Municipality } from '../territory/municipality.entity';
import {
  type Batch,
  endsBeforeItStarts,
  type Flat,
  refProblems,
  statesNamed,
} from '../writes/write.batch';
import {
  ibgeCode,
  mandateDate,
  naturalKey,
  regionCode,
  rowIdentity,
  uf,
} from '../writes/write.fields';
import { byCode, codeKey, loadRows, orNational, writeSpec } from '../writes/write.spec';
import { loadPersonStates, statesOfPerson } from './person.write';
import { importTarget, specFields, ufOfCode } from '../imports/import.targets';
import { auditStateUf } from '../audit/audit.service';

const GESTORES = 'mandate.gestores';

interface Interval {
  id: number | null;
  municipality: string;
  start: string;
  end: string | null;
}

/** [start, end) intervals overlap; a null end is open. */
function overlaps(
  a: { start: string; end: string | null },
  b: { start: string; end: string | null },
) {
  return (b.end === null || a.start < b.end) && (a.end === null || b.start < a.end);
}

function gestores(batch: Batch): Interval[] {
  return batch.scratch.get(GESTORES) as Interval[];
}

export const mandateWrites = writeSpec<Mandate>({
  typeName: 'Mandate',
  entity: Mandate,
  requiredOnCreate: ['personCode', 'role', 'startDate'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(80).nullish().describe('Natural key from the roster.'),
    personCode: naturalKey(50).nullish(),
    organizationCode: naturalKey(50).nullish(),
    role: z.enum(MandateRole).nullish(),
    seat: z.enum(SeatType).nullish(),
    stateUf: uf.nullish(),
    municipalityIbgeCode: ibgeCode.nullish(),
    healthRegionCodes: z
      .array(regionCode)
      .max(100)
      .transform((codes) => [...new Set(codes)].sort())
      .nullish(),
    startDate: mandateDate.nullish().describe('YYYY-MM-DD'),
    endDate: mandateDate.nullish().describe('YYYY-MM-DD, exclusive'),
  }),
  keyOf: codeKey,
  load: loadRows(Mandate, byCode, [
    'person',
    'organization',
    'state',
    'municipality',
    'healthRegions',
  ]),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'personCode', Person, 'code');
    await loadPersonStates(
      batch,
      drafts.map((d) => d.personCode as string | null | undefined),
    );
    await batch.loadNamed(drafts, 'organizationCode', Organization, 'code');
    await batch.loadNamed(drafts, 'municipalityIbgeCode', Municipality, 'ibgeCode');
    await batch.loadNamed(drafts, 'healthRegionCodes', HealthRegion, 'code');
    const municipalities = [
      ...new Set(
        drafts
          .filter((d) => d.role === MandateRole.MUNICIPAL_SECRETARY && d.municipalityIbgeCode)
          .map((d) => d.municipalityIbgeCode as string),
      ),
    ];
    const existing =
      municipalities.length === 0
        ? []
        : await batch.em.find(
            Mandate,
            {
              role: MandateRole.MUNICIPAL_SECRETARY,
              municipality: { ibgeCode: { $in: municipalities } },
              deletedAt: null,
            },
            { populate: ['municipality'] },
          );
    batch.scratch.set(
      GESTORES,
      existing.map((m) => ({
        id: m.id,
        municipality: m.municipality!.unwrap().ibgeCode,
        start: m.startDate,
        end: m.endDate ?? null,
      })),
    );
  },
  snapshot: (row) => ({
    code: row.code ?? null,
    personCode: row.person.unwrap().code,
    organizationCode: row.organization?.unwrap().code ?? null,
    role: row.role,
    seat: row.seat ?? null,
    stateUf: row.state?.unwrap().uf ?? null,
    municipalityIbgeCode: row.municipality?.unwrap().ibgeCode ?? null,
    healthRegionCodes: row.healthRegions
      .getItems()
      .map((r) => r.code)
      .sort(),
    startDate: row.startDate,
    endDate: row.endDate ?? null,
  }),
  rowRules(draft) {
    const problems = endsBeforeItStarts(draft);
    const municipality = (draft.municipalityIbgeCode as string | null | undefined) ?? null;
    const regions = (draft.healthRegionCodes as string[] | null | undefined) ?? [];
    if (draft.role === MandateRole.APOIADOR) {
      if (regions.length === 0) {
        problems.push({
          field: 'healthRegionCodes',
          message: "An apoiador's scope is one or more health regions",
        });
      }
      if (municipality) {
        problems.push({
          field: 'municipalityIbgeCode',
          message: "An apoiador's scope is health regions, not a municipality",
        });
      }
    }
    if (draft.role === MandateRole.MUNICIPAL_SECRETARY && !municipality) {
      problems.push({
        field: 'municipalityIbgeCode',
        message: 'A municipal secretary (gestor) needs a municipality',
      });
    }
    if (draft.role === MandateRole.MAYOR && !municipality) {
      problems.push({ field: 'municipalityIbgeCode', message: 'A mayor needs a municipality' });
    }
    if (draft.role === MandateRole.COUNCIL_SEAT && !draft.seat) {
      problems.push({
        field: 'seat',
        message: 'A council seat needs a seat (TITULAR or SUPLENTE)',
      });
    }
    return problems;
  },
  check(draft, before, batch, selfId) {
    const startDate = draft.startDate as string;
    const endDate = (draft.endDate as string | null | undefined) ?? null;
    const municipality = (draft.municipalityIbgeCode as string | null | undefined) ?? null;
    const deleted = (person: Person) =>
      person.deletedAt && before?.personCode !== draft.personCode
        ? `Person ${person.code} is deleted; restore them first`
        : null;
    const problems = refProblems(draft, batch, [
      ['personCode', Person, 'person', { required: true, then: deleted }],
      ['organizationCode', Organization, 'organisation'],
      ['stateUf', 'State'],
      ['municipalityIbgeCode', Municipality, 'municipality'],
      ['healthRegionCodes', HealthRegion, 'health region'],
    ]);
    if (draft.role === MandateRole.MUNICIPAL_SECRETARY && municipality) {
      const clash = gestores(batch).find(
        (other) =>
          other.municipality === municipality &&
          (selfId === null || other.id !== selfId) &&
          overlaps(other, { start: startDate, end: endDate }),
      );
      if (clash) {
        problems.push({
          field: 'startDate',
          message: `Municipality ${municipality} already has a gestor from ${clash.start} to ${clash.end ?? 'now'}; end that mandate first`,
        });
      }
    }
    return problems;
  },
  ufsOf: (flat: Flat, batch) => orNational(mandateUfs(flat, (code) => batch.ufOfCode(code))),
  scopeRefusal(draft, batch) {
    // A mandate adds its state to its person's, and a state-scoped editor reads the contact of
    // the people of its state: it may not give itself someone else's by writing one.
    const uf = scopedUf(batch.viewer);
    const states = statesOfPerson(batch, draft.personCode);
    if (uf === null || states.includes(uf)) {
      return null;
    }
    return `Person ${String(draft.personCode)} belongs to ${states.join(', ') || 'no state'}, not ${uf}: a key of ${uf} cannot attach a mandate to them, since that would give it their email and phone. An unscoped editor or an admin records it`;
  },
  create: () => new Mandate(),
  write(row, draft, batch) {
    row.code = (draft.code as string | null | undefined) ?? null;
    row.person = ref(batch.ref(Person, draft.personCode as string)!);
    const organization = batch.ref(Organization, draft.organizationCode as string | null);
    row.organization = organization ? ref(organization) : null;
    row.role = draft.role as MandateRole;
    row.seat = (draft.seat as SeatType | null | undefined) ?? null;
    const state = draft.stateUf ? batch.state(draft.stateUf as string) : undefined;
    row.state = state ? ref(state) : null;
    const municipality = batch.ref(Municipality, draft.municipalityIbgeCode as string | null);
    row.municipality = municipality ? ref(municipality) : null;
    row.healthRegions.set(
      ((draft.healthRegionCodes as string[] | null | undefined) ?? []).map((code) =>
        batch.ref(HealthRegion, code)!,
      ),
    );
    row.startDate = draft.startDate as string;
    row.endDate = (draft.endDate as string | null | undefined) ?? null;
  },
  remember(draft, id, batch) {
    if (draft.role === MandateRole.MUNICIPAL_SECRETARY && draft.municipalityIbgeCode) {
      const list = gestores(batch).filter((g) => g.id === null || g.id !== id);
      list.push({
        id,
        municipality: draft.municipalityIbgeCode as string,
        start: draft.startDate as string,
        end: (draft.endDate as string | null | undefined) ?? null,
      });
      batch.scratch.set(GESTORES, list);
    }
  },
});

/** The states a mandate's state, municipality and regions name (their codes start with it). */
function mandateUfs(flat: Flat, ufOfCode: (code: string | null | undefined) => string | null) {
  return statesNamed(
    flat.stateUf,
    [flat.municipalityIbgeCode, ...((flat.healthRegionCodes as string[] | null | undefined) ?? [])],
    ufOfCode,
  );
}

/** How the import engine writes Mandate rows (flat, related rows by natural key). */
export const mandateTarget = importTarget(
  Mandate,
  specFields(
    mandateWrites,
    `personCode=person:Person organizationCode=organization:Organization stateUf=state:State
     municipalityIbgeCode=municipality:Municipality healthRegionCodes=healthRegions:[HealthRegion]`,
  ),
  {
    lookup: 'code',
    populate: ['healthRegions'],
    // The audit log's state, as a mutation's entry has it (`ufsOf`): its one state, or BR.
    stateUfOf: (values) => auditStateUf(orNational(mandateUfs(values, ufOfCode))),
  },
);
