import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { ParticipationRole } from './activity.enums';
import { Event } from './event.entity';
import { Participation } from './participation.entity';
import { Person } from '../people/person.entity';
import { Municipality } from '../territory/municipality.entity';
import { type Batch, type FieldProblem, type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, naturalKey, rowIdentity } from '../writes/write.fields';
import { loadRows, writeSpec } from '../writes/write.spec';
import { eventWrites } from './event.write';
import { importTarget, specFields } from '../imports/import.targets';

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

/** The states of an event's territory (national events: none, so only unscoped keys). */
function eventUfs(event: Event | undefined, batch: Batch): string[] {
  if (!event) {
    return [];
  }
  return eventWrites.ufsOf(
    {
      stateUf: event.state?.unwrap().uf ?? null,
      healthRegionCode: event.healthRegion?.unwrap().code ?? null,
      municipalityIbgeCode: event.municipality?.unwrap().ibgeCode ?? null,
    },
    batch,
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
  ufsOf: (flat, batch) => eventUfs(batch.ref(Event, flat.eventCode as string | null), batch),
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
  },
);
