import { registerEnumType } from 'type-graphql';

export enum OrganizationKind {
  CONASEMS = 'CONASEMS',
  COSEMS = 'COSEMS',
  SES = 'SES',
  MS = 'MS',
  OPAS = 'OPAS',
  MUNICIPAL_SECRETARIAT = 'MUNICIPAL_SECRETARIAT',
  OTHER = 'OTHER',
}
registerEnumType(OrganizationKind, {
  name: 'OrganizationKind',
  description:
    'CONASEMS, a state COSEMS, a state health secretariat (SES), the Ministry of Health (MS), OPAS…',
});

/** Time-bounded roles a person holds in the network. */
export enum MandateRole {
  APOIADOR = 'APOIADOR',
  STATE_COORDINATOR = 'STATE_COORDINATOR',
  FACILITATOR = 'FACILITATOR',
  NATIONAL_COORDINATOR = 'NATIONAL_COORDINATOR',
  MUNICIPAL_SECRETARY = 'MUNICIPAL_SECRETARY',
  MAYOR = 'MAYOR',
  BOARD_MEMBER = 'BOARD_MEMBER',
  COUNCIL_SEAT = 'COUNCIL_SEAT',
  TECHNICAL_ADVISER = 'TECHNICAL_ADVISER',
}
registerEnumType(MandateRole, {
  name: 'MandateRole',
  description:
    'APOIADOR (scope: health regions), MUNICIPAL_SECRETARY (the gestor; scope: a municipality), MAYOR, COUNCIL_SEAT (titular/suplente per health region)…',
});

export enum SeatType {
  TITULAR = 'TITULAR',
  SUPLENTE = 'SUPLENTE',
}
registerEnumType(SeatType, { name: 'SeatType' });
