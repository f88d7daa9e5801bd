import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Organization } from './organization.entity';
import { OrganizationKind } from './people.enums';
import { type FieldProblem, refProblems } from '../writes/write.batch';
import { naturalKey, rowIdentity, text, uf } from '../writes/write.fields';
import { byCode, codeKey, loadRows, NATIONAL, writeSpec } from '../writes/write.spec';

/** Organisations: a COSEMS or SES belongs to its state; CONASEMS, MS, OPAS are national. */
export const organizationWrites = writeSpec<Organization>({
  typeName: 'Organization',
  entity: Organization,
  requiredOnCreate: ['code', 'name', 'kind'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(50).nullish(),
    name: text(300).nullish(),
    kind: z.enum(OrganizationKind).nullish(),
    stateUf: uf.nullish().describe('null = national.'),
  }),
  keyOf: codeKey,
  load: loadRows(Organization, byCode, ['state']),
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
    return problems.concat(refProblems(draft, batch, [['stateUf', 'State']]));
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
});
