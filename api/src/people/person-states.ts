import type { Em } from '../db/orm';
import { execute } from '../db/sql/execute';
import { inList, sql } from '../db/sql/sql';

/** A person and the states they belong to. */
export interface PersonStates {
  id: number;
  code: string;
  states: string[];
}

/** Rows per statement: far below either database's limit on bound parameters. */
const CHUNK = 5_000;

/**
 * The states people belong to — the one definition that contact visibility and write scope both
 * read: the states of their live mandates (by the mandate's state, its municipality's state or
 * its health regions' states; past and present mandates alike), or, for someone who holds no
 * live mandate, the state of the scoped key that created them (`Person.homeUf`), or none.
 * One statement per 5,000 people, whatever their mandates.
 */
export async function personStates(
  em: Em,
  people: { ids: readonly number[] } | { codes: readonly string[] },
): Promise<PersonStates[]> {
  const [column, keys] =
    'ids' in people
      ? (['id', [...new Set(people.ids)]] as const)
      : (['code', [...new Set(people.codes)]] as const);
  const result: PersonStates[] = [];
  for (let start = 0; start < keys.length; start += CHUNK) {
    const chunk = keys.slice(start, start + CHUNK);
    // Inside the caller's transaction when there is one (a write batch), on its connection.
    const rows = await execute<{
      id: number;
      code: string;
      home_uf: string | null;
      uf: string | null;
    }>(
      em,
      sql`with wanted as (
         select id, code, home_uf from people where ${inList(sql.ident(column), chunk)}
       ),
       held as (
         select m.id, m.person_id, m.state_id, m.municipality_id from mandates m
         where m.deleted_at is null and m.person_id in (select id from wanted)
       ),
       placed as (
         select h.person_id, h.state_id from held h where h.state_id is not null
         union
         select h.person_id, mu.state_id from held h join municipalities mu on mu.id = h.municipality_id
         union
         select h.person_id, hr.state_id from held h
           join mandate_health_regions mhr on mhr.mandate_id = h.id
           join health_regions hr on hr.id = mhr.health_region_id
       )
       select w.id, w.code, w.home_uf, s.uf from wanted w
       left join placed p on p.person_id = w.id
       left join states s on s.id = p.state_id
       order by w.id, s.uf`,
    );
    const byId = new Map<number, PersonStates & { home: string | null }>();
    for (const row of rows) {
      const id = Number(row.id);
      let person = byId.get(id);
      if (!person) {
        person = { id, code: row.code, states: [], home: row.home_uf };
        byId.set(id, person);
      }
      if (row.uf && !person.states.includes(row.uf)) {
        person.states.push(row.uf);
      }
    }
    for (const { home, ...person } of byId.values()) {
      result.push({
        ...person,
        states: person.states.length > 0 ? person.states : home ? [home] : [],
      });
    }
  }
  return result;
}
