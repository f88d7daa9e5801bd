import { Event } from '../activity/event.entity';
import { Mandate } from '../people/mandate.entity';
import { Person } from '../people/person.entity';
import { Adhesion } from '../programs/adhesion.entity';
import { Enrolment } from '../programs/enrolment.entity';
import { InstrumentStatus } from '../programs/instrument-status.entity';
import { Municipality } from '../territory/municipality.entity';
import { adhesionWrites, enrolmentWrites } from './specs/adhesion.write';
import { eventWrites } from './specs/event.write';
import { instrumentStatusWrites } from './specs/instrument-status.write';
import { mandateWrites } from './specs/mandate.write';
import { municipalityWrites } from './specs/municipality.write';
import { personWrites } from './specs/person.write';
import {
  AdhesionUpsertInput,
  EnrolmentUpsertInput,
  EventUpsertInput,
  InstrumentStatusUpsertInput,
  MandateUpsertInput,
  MunicipalityUpsertInput,
  PersonUpsertInput,
} from './write.inputs';
import { writeResolver } from './write.resolver';
import { type WriteSpec } from './write.spec';

/** Every writable entity type, by audit `entityType` (what `revertImport` looks up). */
export const writeSpecs: ReadonlyMap<string, WriteSpec> = new Map(
  [
    municipalityWrites,
    personWrites,
    mandateWrites,
    eventWrites,
    adhesionWrites,
    instrumentStatusWrites,
    enrolmentWrites,
  ].map((spec) => [spec.typeName, spec as unknown as WriteSpec]),
);

export const writeResolvers = [
  writeResolver(
    municipalityWrites,
    { singular: 'Municipality', plural: 'Municipalities' },
    MunicipalityUpsertInput,
    Municipality,
  ),
  writeResolver(personWrites, { singular: 'Person', plural: 'People' }, PersonUpsertInput, Person),
  writeResolver(
    mandateWrites,
    { singular: 'Mandate', plural: 'Mandates' },
    MandateUpsertInput,
    Mandate,
  ),
  writeResolver(eventWrites, { singular: 'Event', plural: 'Events' }, EventUpsertInput, Event),
  writeResolver(
    adhesionWrites,
    { singular: 'Adhesion', plural: 'Adhesions' },
    AdhesionUpsertInput,
    Adhesion,
  ),
  writeResolver(
    instrumentStatusWrites,
    { singular: 'InstrumentStatus', plural: 'InstrumentStatuses' },
    InstrumentStatusUpsertInput,
    InstrumentStatus,
  ),
  writeResolver(
    enrolmentWrites,
    { singular: 'Enrolment', plural: 'Enrolments' },
    EnrolmentUpsertInput,
    Enrolment,
  ),
];
