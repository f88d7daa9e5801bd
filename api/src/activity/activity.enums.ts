import { registerEnumType } from 'type-graphql';

export enum EventKind {
  CIR_MEETING = 'CIR_MEETING',
  CIB_MEETING = 'CIB_MEETING',
  BOARD_MEETING = 'BOARD_MEETING',
  ASSEMBLY = 'ASSEMBLY',
  WEB_OFICINA = 'WEB_OFICINA',
  WEB_MEETING = 'WEB_MEETING',
  TRAINING = 'TRAINING',
  CONGRESS = 'CONGRESS',
  TECHNICAL_VISIT = 'TECHNICAL_VISIT',
  SETEC = 'SETEC',
  OTHER = 'OTHER',
}
registerEnumType(EventKind, {
  name: 'EventKind',
  description:
    'CIR/CIB/board meetings, assemblies, web oficinas and meetings, training, congresses, visits, SETEC…',
});

export enum Modality {
  IN_PERSON = 'IN_PERSON',
  ONLINE = 'ONLINE',
  HYBRID = 'HYBRID',
}
registerEnumType(Modality, { name: 'Modality' });

export enum ParticipationRole {
  ORGANISER = 'ORGANISER',
  SPEAKER = 'SPEAKER',
  ATTENDEE = 'ATTENDEE',
}
registerEnumType(ParticipationRole, { name: 'ParticipationRole' });
