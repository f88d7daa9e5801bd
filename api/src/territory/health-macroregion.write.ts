import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { searchText } from '../common/text';
import { HealthMacroregion } from './health-macroregion.entity';
import { HealthRegion } from './health-region.entity';
import { type FieldProblem } from '../writes/write.batch';
import { macroregionCode, rowIdentity, text } from '../writes/write.fields';
import { byCode, codeKey, loadRows, stateOfCode, writeSpec } from '../writes/write.spec';
import { importTarget, specFields, ufOfState } from '../imports/import.targets';

/** Health macroregions: the 4-digit code starts with the state's IBGE code, which scopes them. */
export const healthMacroregionWrites = writeSpec<HealthMacroregion>({
  typeName: 'HealthMacroregion',
  entity: HealthMacroregion,
  requiredOnCreate: ['code', 'name'],
  schema: z.object({
    ...rowIdentity,
    code: macroregionCode.nullish().describe('4-digit code, e.g. 4301.'),
    name: text(200).nullish(),
  }),
  keyOf: codeKey,
  load: loadRows(HealthMacroregion, byCode),
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
  ufsOf: stateOfCode('code'),
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
});

/** How the import engine writes HealthMacroregion rows (flat, related rows by natural key). */
export const healthMacroregionTarget = importTarget(
  HealthMacroregion,
  specFields(healthMacroregionWrites, '', 'nameSearch stateUf=state:State demo'),
  {
    namespace: 'HealthMacroregion',
    lookup: 'code',
    stateUfOf: ufOfState,
  },
);
