import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { searchText } from '../../common/text';
import { Organization } from '../../people/organization.entity';
import { OrganizationKind } from '../../people/people.enums';
import { Program } from '../../programs/program.entity';
import { HealthMacroregion } from '../../territory/health-macroregion.entity';
import { HealthRegion } from '../../territory/health-region.entity';
import { Municipality } from '../../territory/municipality.entity';
import { type FieldProblem } from '../write.batch';
import { ibgeCode, localDate, naturalKey, rowIdentity, text, uf } from '../write.fields';
import { NATIONAL, type WriteSpec } from '../write.spec';

const codeKey = (flat: Record<string, unknown>) =>
  typeof flat.code === 'string' ? flat.code : null;

/** Health regions: the code starts with the state's IBGE code, which is what scopes them. */
export const healthRegionWrites: WriteSpec<HealthRegion> = {
  typeName: 'HealthRegion',
  entity: HealthRegion,
  fields: ['code', 'name', 'macroregionCode', 'seatIbgeCode'],
  requiredOnCreate: ['code', 'name'],
  schema: z.object({
    ...rowIdentity,
    code: z
      .string()
      .trim()
      .regex(/^\d{5}$/, 'Expected a 5-digit region code (state code + number)')
      .nullish(),
    name: text(200).nullish(),
    macroregionCode: naturalKey(10).nullish(),
    seatIbgeCode: ibgeCode.nullish(),
  }),
  keyOfInput: codeKey,
  keyOfFlat: codeKey,
  load: (em, { ids, keys }) =>
    em.find(
      HealthRegion,
      { $or: [{ id: { $in: ids } }, { code: { $in: keys } }] },
      { populate: ['macroregion', 'seatMunicipality'] },
    ),
  async prepare(batch, drafts) {
    await batch.loadRefs(
      HealthMacroregion,
      'code',
      drafts.map((d) => d.macroregionCode as string | null),
      ['state'],
    );
    await batch.loadRefs(
      Municipality,
      'ibgeCode',
      drafts.map((d) => d.seatIbgeCode as string | null),
    );
  },
  snapshot: (row) => ({
    code: row.code,
    name: row.name,
    macroregionCode: row.macroregion?.unwrap().code ?? null,
    seatIbgeCode: row.seatMunicipality?.unwrap().ibgeCode ?? null,
  }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    const regionUf = batch.ufOfCode(draft.code as string);
    if (!regionUf) {
      problems.push({ field: 'code', message: 'No state has the code these digits start with' });
    }
    if (before && before.code !== draft.code) {
      problems.push({ field: 'code', message: 'The code of a region cannot change' });
    }
    const macroregion = batch.ref(HealthMacroregion, draft.macroregionCode as string | null);
    if (draft.macroregionCode && !macroregion) {
      problems.push({
        field: 'macroregionCode',
        message: `No macroregion has code ${String(draft.macroregionCode)}`,
      });
    } else if (macroregion && macroregion.state.unwrap().uf !== regionUf) {
      problems.push({ field: 'macroregionCode', message: 'The macroregion is in another state' });
    }
    const seat = draft.seatIbgeCode as string | null | undefined;
    if (seat && !batch.ref(Municipality, seat)) {
      problems.push({ field: 'seatIbgeCode', message: `No municipality has code ${seat}` });
    } else if (seat && batch.ufOfCode(seat) !== regionUf) {
      problems.push({
        field: 'seatIbgeCode',
        message: 'The seat municipality is in another state',
      });
    }
    return problems;
  },
  ufsOf(flat, batch) {
    const regionUf = batch.ufOfCode(flat.code as string | undefined);
    return regionUf ? [regionUf] : [];
  },
  create: () => new HealthRegion(),
  write(row, draft, batch) {
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.nameSearch = searchText(row.name);
    row.state = ref(batch.state(batch.ufOfCode(row.code)!)!);
    const macroregion = batch.ref(HealthMacroregion, draft.macroregionCode as string | null);
    row.macroregion = macroregion ? ref(macroregion) : null;
    const seat = batch.ref(Municipality, draft.seatIbgeCode as string | null);
    row.seatMunicipality = seat ? ref(seat) : null;
  },
};

/** Organisations: a COSEMS or SES belongs to its state; CONASEMS, MS, OPAS are national. */
export const organizationWrites: WriteSpec<Organization> = {
  typeName: 'Organization',
  entity: Organization,
  fields: ['code', 'name', 'kind', 'stateUf'],
  requiredOnCreate: ['code', 'name', 'kind'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(50).nullish(),
    name: text(300).nullish(),
    kind: z.enum(OrganizationKind).nullish(),
    stateUf: uf.nullish(),
  }),
  keyOfInput: codeKey,
  keyOfFlat: codeKey,
  load: (em, { ids, keys }) =>
    em.find(
      Organization,
      { $or: [{ id: { $in: ids } }, { code: { $in: keys } }] },
      { populate: ['state'] },
    ),
  async prepare() {
    // Only states, which every batch loads.
  },
  snapshot: (row) => ({
    code: row.code,
    name: row.name,
    kind: row.kind,
    stateUf: row.state?.unwrap().uf ?? null,
  }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    if (before && before.code !== draft.code) {
      problems.push({ field: 'code', message: 'The code of an organisation cannot change' });
    }
    if (draft.stateUf && !batch.state(draft.stateUf as string)) {
      problems.push({ field: 'stateUf', message: `Unknown UF ${String(draft.stateUf)}` });
    }
    return problems;
  },
  ufsOf: (flat) => (flat.stateUf ? [flat.stateUf as string] : [NATIONAL]),
  create: () => new Organization(),
  write(row, draft, batch) {
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.kind = draft.kind as OrganizationKind;
    const state = draft.stateUf ? batch.state(draft.stateUf as string) : undefined;
    row.state = state ? ref(state) : null;
  },
};

/** Programs are national: only unscoped editors and admins define them. */
export const programWrites: WriteSpec<Program> = {
  typeName: 'Program',
  entity: Program,
  fields: [
    'code',
    'name',
    'description',
    'adhesionOpensOn',
    'adhesionClosesOn',
    'decisionBusinessDays',
    'validityMonths',
  ],
  requiredOnCreate: [
    'code',
    'name',
    'adhesionOpensOn',
    'adhesionClosesOn',
    'decisionBusinessDays',
    'validityMonths',
  ],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(50).nullish(),
    name: text(300).nullish(),
    description: z.string().max(10_000).nullish(),
    adhesionOpensOn: localDate.nullish(),
    adhesionClosesOn: localDate.nullish(),
    decisionBusinessDays: z.number().int().min(0).max(365).nullish(),
    validityMonths: z.number().int().min(1).max(240).nullish(),
  }),
  keyOfInput: codeKey,
  keyOfFlat: codeKey,
  load: (em, { ids, keys }) =>
    em.find(Program, { $or: [{ id: { $in: ids } }, { code: { $in: keys } }] }),
  async prepare() {
    // Nothing beyond the row itself.
  },
  snapshot: (row) => ({
    code: row.code,
    name: row.name,
    description: row.description ?? null,
    adhesionOpensOn: row.adhesionOpensOn,
    adhesionClosesOn: row.adhesionClosesOn,
    decisionBusinessDays: row.decisionBusinessDays,
    validityMonths: row.validityMonths,
  }),
  check(draft, before) {
    const problems: FieldProblem[] = [];
    if (before && before.code !== draft.code) {
      problems.push({ field: 'code', message: 'The code of a program cannot change' });
    }
    if ((draft.adhesionClosesOn as string) < (draft.adhesionOpensOn as string)) {
      problems.push({
        field: 'adhesionClosesOn',
        message: 'The adhesion window closes before it opens',
      });
    }
    return problems;
  },
  ufsOf: () => [NATIONAL],
  create: () => new Program(),
  write(row, draft) {
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.description = (draft.description as string | null | undefined) ?? null;
    row.adhesionOpensOn = draft.adhesionOpensOn as string;
    row.adhesionClosesOn = draft.adhesionClosesOn as string;
    row.decisionBusinessDays = draft.decisionBusinessDays as number;
    row.validityMonths = draft.validityMonths as number;
  },
};
