import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { searchText } from '../common/text';
import { HealthMacroregion } from './health-macroregion.entity';
import { HealthRegion } from './health-region.entity';
import { Municipality } from './municipality.entity';
import { type FieldProblem, refProblems } from '../writes/write.batch';
import { ibgeCode, macroregionCode, regionCode, rowIdentity, text } from '../writes/write.fields';
import { byCode, codeKey, loadRows, stateOfCode, writeSpec } from '../writes/write.spec';
import { importTarget, specFields, ufOfState } from '../imports/import.targets';

/** Health regions: the code starts with the state's IBGE code, which is what scopes them. */
export const healthRegionWrites = writeSpec<HealthRegion>({
  typeName: 'HealthRegion',
  entity: HealthRegion,
  requiredOnCreate: ['code', 'name'],
  schema: z.object({
    ...rowIdentity,
    code: regionCode.nullish().describe('5-digit code, e.g. 43001.'),
    name: text(200).nullish(),
    macroregionCode: macroregionCode.nullish(),
    seatIbgeCode: ibgeCode.nullish(),
  }),
  keyOf: codeKey,
  load: loadRows(HealthRegion, byCode, ['macroregion', 'seatMunicipality']),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'macroregionCode', HealthMacroregion, 'code', ['state']);
    await batch.loadNamed(drafts, 'seatIbgeCode', Municipality, 'ibgeCode');
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
    const macroregionState = (macroregion: HealthMacroregion) =>
      macroregion.state.unwrap().uf === regionUf ? null : 'The macroregion is in another state';
    const seatState = (_: Municipality, seat: string) =>
      batch.ufOfCode(seat) === regionUf ? null : 'The seat municipality is in another state';
    return problems.concat(
      refProblems(draft, batch, [
        ['macroregionCode', HealthMacroregion, 'macroregion', { then: macroregionState }],
        ['seatIbgeCode', Municipality, 'municipality', { then: seatState }],
      ]),
    );
  },
  ufsOf: stateOfCode('code'),
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
});

/** How the import engine writes HealthRegion rows (flat, related rows by natural key). */
export const healthRegionTarget = importTarget(
  HealthRegion,
  specFields(
    healthRegionWrites,
    'macroregionCode=macroregion:HealthMacroregion seatIbgeCode=seatMunicipality:Municipality',
    'nameSearch stateUf=state:State demo',
  ),
  { namespace: 'HealthRegion', lookup: 'code', stateUfOf: ufOfState },
);
