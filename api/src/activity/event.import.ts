import { EventKind, Modality } from './activity.enums';
import { code, date, decoded, ibgeCode, integer, listOf, oneOf } from '../imports/import.cells';
import {
  codeColumn,
  entityKind,
  existing,
  municipalityColumn,
  organizationColumn,
  regionColumn,
  ruled,
  stateColumn,
} from '../imports/import.columns';
import { eventStateUf, eventTarget, eventWrites } from './event.write';
import { ufOfCode } from '../imports/import.targets';

const eventKindAliases: Record<string, EventKind> = {
  cir: EventKind.CIR_MEETING,
  reuniaocir: EventKind.CIR_MEETING,
  reuniaodacir: EventKind.CIR_MEETING,
  cib: EventKind.CIB_MEETING,
  reuniaocib: EventKind.CIB_MEETING,
  reuniaodacib: EventKind.CIB_MEETING,
  reuniaodediretoria: EventKind.BOARD_MEETING,
  diretoria: EventKind.BOARD_MEETING,
  assembleia: EventKind.ASSEMBLY,
  weboficina: EventKind.WEB_OFICINA,
  oficina: EventKind.WEB_OFICINA,
  webreuniao: EventKind.WEB_MEETING,
  reuniaovirtual: EventKind.WEB_MEETING,
  capacitacao: EventKind.TRAINING,
  educacaopermanente: EventKind.TRAINING,
  treinamento: EventKind.TRAINING,
  congresso: EventKind.CONGRESS,
  visitatecnica: EventKind.TECHNICAL_VISIT,
  visita: EventKind.TECHNICAL_VISIT,
  outro: EventKind.OTHER,
};
const modalityAliases: Record<string, Modality> = {
  presencial: Modality.IN_PERSON,
  online: Modality.ONLINE,
  virtual: Modality.ONLINE,
  remoto: Modality.ONLINE,
  hibrido: Modality.HYBRID,
};

const eventKindCell = oneOf(EventKind, eventKindAliases);

const modalityCell = oneOf(Modality, modalityAliases);

const topicsCell = ruled(
  eventWrites,
  'topics',
  listOf((topic) => topic),
);

export const eventsKind = entityKind({
  name: 'events',
  description:
    'events: code, kind (tipo), title (titulo), start (data)[, end, modality, organization, uf, region, municipality, topics, participants, accesses, notes]',
  target: eventTarget,
  rules: { spec: eventWrites, columnOf: { endDate: 'end', stateUf: 'state' } },
  refs: ['Organization', 'State', 'Municipality', 'HealthRegion'],
  columns: [
    codeColumn,
    { field: 'kind', aliases: ['kind', 'tipo', 'type', 'tipodeevento'], required: true },
    { field: 'title', aliases: ['title', 'titulo', 'nome', 'name', 'evento'], required: true },
    {
      field: 'start',
      aliases: ['start', 'startdate', 'data', 'date', 'inicio', 'datainicio'],
      required: true,
    },
    { field: 'end', aliases: ['end', 'enddate', 'fim', 'datafim', 'termino'] },
    { field: 'modality', aliases: ['modality', 'modalidade', 'formato'] },
    organizationColumn,
    stateColumn,
    regionColumn,
    municipalityColumn,
    { field: 'topics', aliases: ['topics', 'temas', 'assuntos', 'pauta'] },
    {
      field: 'participants',
      aliases: ['participants', 'participantcount', 'participantes', 'numerodeparticipantes'],
    },
    { field: 'accesses', aliases: ['accesses', 'accesscount', 'acessos', 'numerodeacessos'] },
    { field: 'notes', aliases: ['notes', 'observacoes', 'obs', 'notas'] },
  ],
  readRow(reader, context) {
    const eventCode = reader.required('code', code(80));
    const kind = reader.required('kind', eventKindCell);
    const title = reader.required('title', ruled(eventWrites, 'title'));
    const start = reader.required('start', date);
    const end = reader.optional('end', date);
    const modality = reader.optional('modality', modalityCell) ?? Modality.IN_PERSON;
    const organization = reader.optional('organization', existing(context, 'Organization'));
    const state = reader.optional('state', existing(context, 'State'));
    const region = reader.optional('region', existing(context, 'HealthRegion'));
    const municipality = reader.optional(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const topics = reader.optional('topics', topicsCell) ?? [];
    const participants = reader.optional(
      'participants',
      ruled(eventWrites, 'participantCount', integer()),
    );
    const accesses = reader.optional('accesses', ruled(eventWrites, 'accessCount', integer()));
    const notes = reader.optional('notes', ruled(eventWrites, 'notes', decoded));
    if (!eventCode || !kind || !title || !start) {
      return null;
    }
    const territory = {
      stateUf: state,
      healthRegionCode: region,
      municipalityIbgeCode: municipality,
    };
    return {
      code: eventCode,
      kind,
      title,
      startDate: start,
      endDate: end,
      modality,
      organizationCode: organization,
      ...territory,
      // Derived as a mutation derives it: the state of the region or municipality.
      stateUf: eventStateUf(territory, ufOfCode),
      topics,
      participantCount: participants,
      accessCount: accesses,
      notes,
    };
  },
});
