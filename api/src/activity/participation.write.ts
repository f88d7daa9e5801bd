import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { ParticipationRole } from './activity.enums';
import { Event } from './event.entity';
import { Participation } from './participation.entity';
import { Person } from '../people/person.entity';
import { Municipality } from '../territory/municipality.entity';
import { type FieldProblem, type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, naturalKey, rowIdentity } from '../writes/write.fields';
import { loadRows, writeSpec } from '../writes/write.spec';
import { eventStates } from './event.write';
import { auditStateUf } from '../audit/audit.service';
import type { Em } from '../db/orm';
import { importTarget, specFields, ufOfCode } from '../imports/import.targets';

/** event × person, or event × municipality for a municipality taking part as such. */
function keyOf(flat: Flat): string | null {
  if (typeof flat.eventCode !== 'string') {
    return null;
  }
  if (typeof flat.personCode === 'string') {
    return `${flat.eventCode}|person:${flat.personCode}`;
  }
  if (typeof flat.municipalityIbgeCode === 'string') {
    return `${flat.eventCode}|municipality:${flat.municipalityIbgeCode}`;
  }
  return null;
}

function flatOf(row: Participation): Flat {
  return {
    eventCode: row.event.unwrap().code ?? null,
    personCode: row.person?.unwrap().code ?? null,
    municipalityIbgeCode: row.municipality?.unwrap().ibgeCode ?? null,
    role: row.role,
  };
}

/** The states of a participation: its event's (`eventStates`; national events: the whole country). */
function eventUfs(
  event: Event | undefined,
  ufOfCode: (code: string | null | undefined) => string | null,
): string[] {
  if (!event) {
    return [];
  }
  return eventStates(
    {
      stateUf: event.state?.unwrap().uf ?? null,
      healthRegionCode: event.healthRegion?.unwrap().code ?? null,
      municipalityIbgeCode: event.municipality?.unwrap().ibgeCode ?? null,
    },
    ufOfCode,
  );
}

/** Events per statement when an import asks for participations' states. */
const EVENT_CHUNK = 1000;

/**
 * The audit state of participations by import key (`eventCode|personCode|ibgeCode`): their
 * event's, as `ufsOf` gives a mutation's. An event code may itself hold `|`: the longest prefix of
 * the key that names a stored event is the one.
 */
async function participationStates(em: Em, keys: string[]): Promise<Map<string, string | null>> {
  const prefixes = (key: string) =>
    [...key.matchAll(/\|/g)].map((match) => key.slice(0, match.index)).reverse();
  const codes = [...new Set(keys.flatMap(prefixes))];
  const events = new Map<string, Event>();
  for (let start = 0; start < codes.length; start += EVENT_CHUNK) {
    const found = await em.find(
      Event,
      { code: { $in: codes.slice(start, start + EVENT_CHUNK) } },
      { populate: ['state', 'healthRegion', 'municipality'] },
    );
    found.forEach((event) => events.set(event.code!, event));
  }
  return new Map(
    keys.map((key) => {
      const code = prefixes(key).find((prefix) => events.has(prefix));
      return [key, code ? auditStateUf(eventUfs(events.get(code), ufOfCode)) : null];
    }),
  );
}

/**
 * A person (or a municipality) taking part in an event, keyed by event × person: one
 * participation per person and event (a unique index backs it). Scoped by the event's state.
 */
export const participationWrites = writeSpec<Participation>({
  typeName: 'Participation',
  entity: Participation,
  requiredOnCreate: ['eventCode'],
  schema: z
    .object({
      ...rowIdentity,
      eventCode: naturalKey(80).nullish(),
      personCode: naturalKey(80).nullish(),
      municipalityIbgeCode: ibgeCode.nullish(),
      role: z.enum(ParticipationRole).nullish(),
    })
    .describe('Natural key: event × person (or event × municipality when there is no person).'),
  keyOf,
  load: loadRows(
    Participation,
    (keys) => [{ event: { code: { $in: keys.map((key) => key.split('|')[0]!) } } }],
    ['event', 'person', 'municipality'],
    (row) => keyOf(flatOf(row)),
  ),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'eventCode', Event, 'code', [
      'state',
      'healthRegion',
      'municipality',
    ]);
    await batch.loadNamed(drafts, 'personCode', Person, 'code');
    await batch.loadNamed(drafts, 'municipalityIbgeCode', Municipality, 'ibgeCode');
  },
  snapshot: flatOf,
  rowRules(draft) {
    return !draft.personCode && !draft.municipalityIbgeCode
      ? [{ field: 'personCode', message: 'Give a person or a municipality' }]
      : [];
  },
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    if (before) {
      for (const field of ['eventCode', 'personCode', 'municipalityIbgeCode']) {
        if ((before[field] ?? null) !== (draft[field] ?? null)) {
          problems.push({
            field,
            message:
              'The event, person and municipality of a participation cannot change; delete it and create another',
          });
        }
      }
    }
    const live = { live: true };
    return problems.concat(
      refProblems(draft, batch, [
        ['eventCode', Event, 'event', live],
        ['personCode', Person, 'person', live],
        ['municipalityIbgeCode', Municipality, 'municipality', live],
      ]),
    );
  },
  ufsOf: (flat, batch) =>
    eventUfs(batch.ref(Event, flat.eventCode as string | null), (code) => batch.ufOfCode(code)),
  create: () => new Participation(),
  write(row, draft, batch) {
    row.event = ref(batch.ref(Event, draft.eventCode as string)!);
    const person = batch.ref(Person, draft.personCode as string | null);
    row.person = person ? ref(person) : null;
    const municipality = batch.ref(Municipality, draft.municipalityIbgeCode as string | null);
    row.municipality = municipality ? ref(municipality) : null;
    row.role = (draft.role as ParticipationRole | null | undefined) ?? ParticipationRole.ATTENDEE;
  },
});

/** How the import engine writes Participation rows (flat, related rows by natural key). */
export const participationTarget = importTarget(
  Participation,
  specFields(
    participationWrites,
    'eventCode=event:Event personCode=person:Person municipalityIbgeCode=municipality:Municipality',
  ),
  {
    keyFields: 'eventCode personCode municipalityIbgeCode',
    lookup: 'eventCode',
    // As a mutation's entry has it (`ufsOf`): the event's state, for new rows too.
    storedStateUfs: participationStates,
    storedStatesOfNewRows: true,
  },
);
