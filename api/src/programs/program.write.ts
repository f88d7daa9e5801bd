import { z } from 'zod';
import { Program } from './program.entity';
import { type FieldProblem } from '../writes/write.batch';
import { localDate, naturalKey, rowIdentity, text } from '../writes/write.fields';
import { byCode, codeKey, loadRows, NATIONAL, writeSpec } from '../writes/write.spec';
import { importTarget, specFields } from '../imports/import.targets';

/** Programs are national: only unscoped editors and admins define them. */
export const programWrites = writeSpec<Program>({
  typeName: 'Program',
  entity: Program,
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
  keyOf: codeKey,
  load: loadRows(Program, byCode),
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
});

/** How the import engine (and the demo seed) writes Program rows: national, like a mutation's. */
export const programTarget = importTarget(Program, specFields(programWrites, ''), {
  namespace: 'Program',
  lookup: 'code',
  stateUfOf: () => NATIONAL,
});
