import { registerEnumType } from 'type-graphql';

export enum AdhesionStatus {
  REQUESTED = 'REQUESTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  SUSPENDED = 'SUSPENDED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(AdhesionStatus, { name: 'AdhesionStatus' });

/** Management instruments municipalities must produce and send. */
export enum Instrument {
  PMS = 'PMS',
  PAS = 'PAS',
  RAG = 'RAG',
  RDQA = 'RDQA',
  SIOPS = 'SIOPS',
  DIGISUS = 'DIGISUS',
}
registerEnumType(Instrument, {
  name: 'Instrument',
  description:
    'PMS (plano), PAS (programação anual), RAG (relatório anual), RDQA, SIOPS, DigiSUS report.',
});

/** Ordered: statuses only move forward, unless an admin reverts. */
export enum InstrumentStatusValue {
  PENDING = 'PENDING',
  IN_PROGRESS = 'IN_PROGRESS',
  SENT = 'SENT',
  APPROVED = 'APPROVED',
}
registerEnumType(InstrumentStatusValue, { name: 'InstrumentStatusValue' });

export const instrumentStatusOrder: readonly InstrumentStatusValue[] = [
  InstrumentStatusValue.PENDING,
  InstrumentStatusValue.IN_PROGRESS,
  InstrumentStatusValue.SENT,
  InstrumentStatusValue.APPROVED,
];
