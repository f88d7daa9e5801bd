import { z } from 'zod';
import { auditStateUf } from '../audit/audit.service';
import { scopedUf } from '../auth/policy';
import { searchText } from '../common/text';
import { hiddenContactFields } from './contact';
import { Person } from './person.entity';
import { personStates } from './person-states';
import { type Batch, type Flat } from '../writes/write.batch';
import { naturalKey, rowIdentity, text } from '../writes/write.fields';
import { byCode, codeKey, loadRows, writeSpec } from '../writes/write.spec';
import { importTarget, specFields } from '../imports/import.targets';

const PERSON_UFS = 'person.ufs';

/** Loads the states of the people these drafts name (by code) into the batch: see `personStates`. */
export async function loadPersonStates(batch: Batch, codes: Iterable<unknown>): Promise<void> {
  const known = (batch.scratch.get(PERSON_UFS) as Map<string, string[]> | undefined) ?? new Map();
  const wanted = [
    ...new Set([...codes].filter((c): c is string => typeof c === 'string' && !known.has(c))),
  ];
  for (const person of wanted.length > 0 ? await personStates(batch.em, { codes: wanted }) : []) {
    known.set(person.code, person.states);
  }
  batch.scratch.set(PERSON_UFS, known);
}

/** States of the person with this code, as `loadPersonStates` found them (none for a new one). */
export function statesOfPerson(batch: Batch, code: unknown): string[] {
  const known = batch.scratch.get(PERSON_UFS) as Map<string, string[]> | undefined;
  return typeof code === 'string' ? (known?.get(code) ?? []) : [];
}

export const personWrites = writeSpec<Person>({
  typeName: 'Person',
  plural: 'People',
  entity: Person,
  requiredOnCreate: ['code', 'name'],
  schema: z.object({
    ...rowIdentity,
    code: naturalKey(50).nullish().describe('Natural key.'),
    name: text(300).nullish(),
    email: z
      .email('Not an e-mail address')
      .max(300)
      .transform((value) => value.toLowerCase())
      .nullish(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[\d\s().-]{8,20}$/, 'Expected a phone number, e.g. (51) 3333-4444')
      .nullish(),
  }),
  keyOf: codeKey,
  load: loadRows(Person, byCode),
  prepare: (batch, drafts) =>
    loadPersonStates(
      batch,
      drafts.map((d) => d.code),
    ),
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
  ufsOf: (flat: Flat, batch) => statesOfPerson(batch, flat.code),
  hiddenFields: (flat, batch) =>
    hiddenContactFields(batch.viewer, statesOfPerson(batch, flat.code)),
  create: () => new Person(),
  write(row, draft, batch) {
    if (row.id === undefined) {
      // A new person belongs to the state of the scoped key that adds them, until a mandate
      // places them (see `personStates`): a COSEMS reads back the contact it has just entered.
      row.homeUf = scopedUf(batch.viewer);
    }
    row.code = draft.code as string;
    row.name = draft.name as string;
    row.nameSearch = searchText(row.name);
    row.email = (draft.email as string | null | undefined) ?? null;
    row.phone = (draft.phone as string | null | undefined) ?? null;
  },
  afterWrite(row, _draft, batch) {
    // A person just added by a scoped key belongs to its state from now on (audit entry included).
    if (row.homeUf && statesOfPerson(batch, row.code).length === 0) {
      (batch.scratch.get(PERSON_UFS) as Map<string, string[]>).set(row.code, [row.homeUf]);
    }
  },
});

/** How the import engine writes Person rows (flat, related rows by natural key). */
export const personTarget = importTarget(Person, specFields(personWrites, '', 'nameSearch'), {
  namespace: 'Person',
  lookup: 'code',
  // As a mutation's entry has it: the one state the person belongs to (`ufsOf`), else none.
  storedStateUfs: async (em, codes) =>
    new Map(
      (await personStates(em, { codes })).map((person) => [
        person.code,
        auditStateUf(person.states),
      ]),
    ),
});
