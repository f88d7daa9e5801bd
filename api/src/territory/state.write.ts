import { z } from 'zod';
import { Role } from '../auth/auth.enums';
import { HealthRegion } from './health-region.entity';
import { Municipality } from './municipality.entity';
import { State } from './state.entity';
import { GeographicRegion } from './territory.enums';
import { type FieldProblem } from '../writes/write.batch';
import { rowIdentity, text, uf } from '../writes/write.fields';
import { loadRows, writeSpec } from '../writes/write.spec';

/**
 * States: keyed by UF. Every municipality, region and macroregion code starts with the state's
 * IBGE code, so neither the UF nor the code may change, only admins add or remove a state, and a
 * state that still has live municipalities or regions cannot be deleted.
 */
export const stateWrites = writeSpec<State>({
  typeName: 'State',
  entity: State,
  requiredOnCreate: ['uf', 'ibgeCode', 'name', 'region'],
  roles: { create: Role.ADMIN, delete: Role.ADMIN },
  schema: z.object({
    ...rowIdentity,
    uf: uf.nullish().describe('Natural key, e.g. RS.'),
    ibgeCode: z
      .string()
      .trim()
      .regex(/^\d{2}$/, 'Expected the two-digit IBGE state code, e.g. 43')
      .nullish()
      .describe('Two-digit IBGE code, e.g. 43.'),
    name: text(100).nullish(),
    region: z.enum(GeographicRegion).nullish(),
  }),
  keyOf: (flat) => (typeof flat.uf === 'string' ? flat.uf : null),
  load: loadRows(State, (keys) => [{ uf: { $in: keys } }]),
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
});
