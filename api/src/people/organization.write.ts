import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Organization } from './organization.entity';
import { OrganizationKind } from './people.enums';
import { auditStateUf } from '../audit/audit.service';
import { importTarget, specFields } from '../imports/import.targets';
import { type Flat, type FieldProblem, refProblems } from '../writes/write.batch';
import { naturalKey, rowIdentity, text, uf } from '../writes/write.fields';
import { byCode, codeKey, loadRows, orNational, writeSpec } from '../writes/write.spec';

/** The state an organisation belongs to, or the whole country. */
const organizationUfs = (flat: Flat): string[] =>
  orNational(flat.stateUf ? [flat.stateUf as string] : []);

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
  ufsOf: organizationUfs,
  create: () => new Organization(),
  write(row, draft, batch) {
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.kind = draft.kind as OrganizationKind;
    const state = draft.stateUf ? batch.state(draft.stateUf as string) : undefined;
    row.state = state ? ref(state) : null;
  },
});

/** How the import engine (and the demo seed) writes Organization rows. */
export const organizationTarget = importTarget(
  Organization,
  specFields(organizationWrites, 'stateUf=state:State'),
  {
    namespace: 'Organization',
    lookup: 'code',
    stateUfOf: (values) => auditStateUf(organizationUfs(values)),
  },
);
