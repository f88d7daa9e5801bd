import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Role } from '../../auth/auth.enums';
import { searchText } from '../../common/text';
import { HealthMacroregion } from '../../territory/health-macroregion.entity';
import { HealthRegion } from '../../territory/health-region.entity';
import { Municipality } from '../../territory/municipality.entity';
import { State } from '../../territory/state.entity';
import { GeographicRegion } from '../../territory/territory.enums';
import { type FieldProblem } from '../write.batch';
import { naturalKey, rowIdentity, text, uf } from '../write.fields';
import { type WriteSpec } from '../write.spec';

/**
 * States: keyed by UF. Every municipality, region and macroregion code starts with the state's
 * IBGE code, so neither the UF nor the code may change, only admins add or remove a state, and a
 * state that still has live municipalities or regions cannot be deleted.
 */
export const stateWrites: WriteSpec<State> = {
  typeName: 'State',
  entity: State,
  fields: ['uf', 'ibgeCode', 'name', 'region'],
  requiredOnCreate: ['uf', 'ibgeCode', 'name', 'region'],
  roles: { create: Role.ADMIN, delete: Role.ADMIN },
  schema: z.object({
    ...rowIdentity,
    uf: uf.nullish(),
    ibgeCode: z
      .string()
      .trim()
      .regex(/^\d{2}$/, 'Expected the two-digit IBGE state code, e.g. 43')
      .nullish(),
    name: text(100).nullish(),
    region: z.enum(GeographicRegion).nullish(),
  }),
  keyOfInput: (input) => (typeof input.uf === 'string' ? input.uf : null),
  keyOfFlat: (flat) => (typeof flat.uf === 'string' ? flat.uf : null),
  load: (em, { ids, keys }) =>
    em.find(State, { $or: [{ id: { $in: ids } }, { uf: { $in: keys } }] }),
  async prepare() {
    // Every batch loads the states.
  },
  snapshot: (row) => ({ uf: row.uf, ibgeCode: row.ibgeCode, name: row.name, region: row.region }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    if (before && before.uf !== draft.uf) {
      problems.push({ field: 'uf', message: 'The UF of a state cannot change' });
    }
    if (before && before.ibgeCode !== draft.ibgeCode) {
      problems.push({
        field: 'ibgeCode',
        message: 'The IBGE code of a state cannot change: every municipality code starts with it',
      });
    }
    const holder = batch.ufOfCode(draft.ibgeCode as string);
    if (!before && holder && holder !== draft.uf) {
      problems.push({
        field: 'ibgeCode',
        message: `IBGE code ${String(draft.ibgeCode)} is ${holder}'s`,
      });
    }
    return problems;
  },
  ufsOf: (flat) => (typeof flat.uf === 'string' ? [flat.uf] : []),
  create: () => new State(),
  write(row, draft) {
    row.uf = draft.uf as string;
    row.ibgeCode = draft.ibgeCode as string;
    row.name = draft.name as string;
    row.region = draft.region as GeographicRegion;
  },
  afterWrite(row, _draft, batch) {
    batch.rememberState(row);
  },
  async checkDelete(row, batch) {
    const live = { state: row.id, deletedAt: null };
    const [municipalities, regions] = await Promise.all([
      batch.em.count(Municipality, live),
      batch.em.count(HealthRegion, live),
    ]);
    if (municipalities + regions === 0) {
      return [];
    }
    return [
      {
        field: 'id',
        message: `${row.uf} still has ${municipalities} municipalities and ${regions} health regions that are not deleted; delete them first`,
      },
    ];
  },
};

/** Health macroregions: the 4-digit code starts with the state's IBGE code, which scopes them. */
export const healthMacroregionWrites: WriteSpec<HealthMacroregion> = {
  typeName: 'HealthMacroregion',
  entity: HealthMacroregion,
  fields: ['code', 'name'],
  requiredOnCreate: ['code', 'name'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(10)
      .regex(/^\d{4}$/, 'Expected a 4-digit macroregion code (state code + number)')
      .nullish(),
    name: text(200).nullish(),
  }),
  keyOfInput: (input) => (typeof input.code === 'string' ? input.code : null),
  keyOfFlat: (flat) => (typeof flat.code === 'string' ? flat.code : null),
  load: (em, { ids, keys }) =>
    em.find(HealthMacroregion, { $or: [{ id: { $in: ids } }, { code: { $in: keys } }] }),
  async prepare() {
    // Only states, which every batch loads.
  },
  snapshot: (row) => ({ code: row.code, name: row.name }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    if (!batch.ufOfCode(draft.code as string)) {
      problems.push({ field: 'code', message: 'No state has the code these digits start with' });
    }
    if (before && before.code !== draft.code) {
      problems.push({ field: 'code', message: 'The code of a macroregion cannot change' });
    }
    return problems;
  },
  ufsOf(flat, batch) {
    const macroUf = batch.ufOfCode(flat.code as string | undefined);
    return macroUf ? [macroUf] : [];
  },
  create: () => new HealthMacroregion(),
  write(row, draft, batch) {
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.nameSearch = searchText(row.name);
    row.state = ref(batch.state(batch.ufOfCode(row.code)!)!);
  },
  async checkDelete(row, batch) {
    const regions = await batch.em.count(HealthRegion, { macroregion: row.id, deletedAt: null });
    return regions === 0
      ? []
      : [
          {
            field: 'id',
            message: `Macroregion ${row.code} still groups ${regions} health regions that are not deleted; move or delete them first`,
          },
        ];
  },
};
