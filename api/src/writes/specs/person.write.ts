import { z } from 'zod';
import { searchText } from '../../common/text';
import { Mandate } from '../../people/mandate.entity';
import { Person } from '../../people/person.entity';
import { type Batch, type Flat } from '../write.batch';
import { naturalKey, rowIdentity, text } from '../write.fields';
import { type WriteSpec } from '../write.spec';

const PERSON_UFS = 'person.ufs';

/** States a person is attached to: those of their mandates' state, municipality and regions. */
export function mandateUfs(mandate: Mandate, batch: Batch): string[] {
  const ufs = new Set<string>();
  const state = mandate.state?.unwrap();
  if (state?.uf) {
    ufs.add(state.uf);
  }
  const municipalityUf = batch.ufOfCode(mandate.municipality?.unwrap().ibgeCode);
  if (municipalityUf) {
    ufs.add(municipalityUf);
  }
  for (const region of mandate.healthRegions.isInitialized()
    ? mandate.healthRegions.getItems()
    : []) {
    const uf = batch.ufOfCode(region.code);
    if (uf) {
      ufs.add(uf);
    }
  }
  return [...ufs];
}

export const personWrites: WriteSpec<Person> = {
  typeName: 'Person',
  entity: Person,
  fields: ['code', 'name', 'email', 'phone'],
  requiredOnCreate: ['code', 'name'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(50).nullish(),
    name: text(300).nullish(),
    email: z.email('Not an e-mail address').max(300).nullish(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s().-]{8,20}$/, 'Expected a phone number, e.g. (51) 3333-4444')
      .nullish(),
  }),
  keyOfInput: (input) => (typeof input.code === 'string' ? input.code : null),
  keyOfFlat: (flat) => (flat.code as string | undefined) ?? null,
  load: (em, { ids, keys }) =>
    em.find(Person, { $or: [{ id: { $in: ids } }, { code: { $in: keys } }] }),
  async prepare(batch, drafts) {
    const codes = [
      ...new Set(drafts.map((d) => d.code).filter((c): c is string => typeof c === 'string')),
    ];
    const ufs = new Map<string, Set<string>>();
    if (codes.length > 0) {
      const mandates = await batch.em.find(
        Mandate,
        { person: { code: { $in: codes } }, deletedAt: null },
        { populate: ['person', 'state', 'municipality', 'healthRegions'] },
      );
      for (const mandate of mandates) {
        const code = mandate.person.unwrap().code;
        const set = ufs.get(code) ?? new Set<string>();
        mandateUfs(mandate, batch).forEach((uf) => set.add(uf));
        ufs.set(code, set);
      }
    }
    batch.scratch.set(PERSON_UFS, ufs);
  },
  snapshot: (row) => ({
    code: row.code,
    name: row.name,
    email: row.email ?? null,
    phone: row.phone ?? null,
  }),
  check(draft, before) {
    return before && before.code !== draft.code
      ? [{ field: 'code', message: 'The code of a person cannot change' }]
      : [];
  },
  ufsOf(flat: Flat, batch) {
    const ufs = batch.scratch.get(PERSON_UFS) as Map<string, Set<string>> | undefined;
    return [...(ufs?.get(flat.code as string) ?? [])];
  },
  create: () => new Person(),
  write(row, draft) {
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.nameSearch = searchText(row.name);
    row.email = (draft.email as string | null | undefined) ?? null;
    row.phone = (draft.phone as string | null | undefined) ?? null;
  },
};
