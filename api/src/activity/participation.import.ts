import { ParticipationRole } from './activity.enums';
import { ibgeCode, oneOf } from '../imports/import.cells';
import { entityKind, existing, municipalityColumn } from '../imports/import.columns';
import { participationTarget, participationWrites } from './participation.write';

const roleCell = oneOf(ParticipationRole, {
  organizador: ParticipationRole.ORGANISER,
  organizer: ParticipationRole.ORGANISER,
  palestrante: ParticipationRole.SPEAKER,
  participante: ParticipationRole.ATTENDEE,
});

export const participationKind = entityKind({
  name: 'participation',
  description: 'participation: event, person or municipality[, role (papel)]',
  target: participationTarget,
  rules: { spec: participationWrites, columnOf: { personCode: 'person' } },
  refs: ['Event', 'Person', 'Municipality'],
  columns: [
    { field: 'event', aliases: ['event', 'eventcode', 'evento', 'codevento'], required: true },
    { field: 'person', aliases: ['person', 'personcode', 'pessoa', 'codpessoa'] },
    municipalityColumn,
    { field: 'role', aliases: ['role', 'papel', 'funcao'] },
  ],
  readRow(reader, context) {
    const event = reader.required('event', existing(context, 'Event'));
    const person = reader.optional('person', existing(context, 'Person'));
    const municipality = reader.optional(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const role = reader.optional('role', roleCell) ?? ParticipationRole.ATTENDEE;
    if (!event) {
      return null;
    }
    return {
      eventCode: event,
      personCode: person,
      municipalityIbgeCode: municipality,
      role,
    };
  },
});
