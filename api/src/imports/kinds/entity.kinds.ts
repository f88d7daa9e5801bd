import { EventKind, Modality, ParticipationRole } from '../../activity/activity.enums';
import { searchText } from '../../common/text';
import { MandateRole, SeatType } from '../../people/people.enums';
import { AdhesionStatus, Instrument, InstrumentStatusValue } from '../../programs/programs.enums';
import {
  CellError,
  type CellParser,
  code,
  type ColumnSpec,
  date,
  ibgeCode,
  integer,
  listOf,
  oneOf,
  type RowReader,
  text,
} from '../import.cells';
import type { ImportKind, KindContext } from '../import.kind';
import { planTarget } from '../import.plan';
import { type FlatRecord, type RefNamespace, type Target, targets } from '../import.targets';

const labels: Record<RefNamespace, string> = {
  State: 'state',
  Municipality: 'municipality',
  HealthRegion: 'health region',
  HealthMacroregion: 'health macroregion',
  Person: 'person',
  Organization: 'organisation',
  Program: 'program',
  Event: 'event',
};

/** A natural key that must name an existing row of `namespace`. */
function existing(
  context: KindContext,
  namespace: RefNamespace,
  parse: CellParser<string> = code(80),
): CellParser<string> {
  return (value) => {
    const key = namespace === 'State' ? parse(value).toUpperCase() : parse(value);
    if (!context.refs.has(namespace, key)) {
      throw new CellError(`${labels[namespace]} "${key}" is unknown`);
    }
    return key;
  };
}

const email: CellParser<string> = (value) => {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) || value.length > 300) {
    throw new CellError(`"${value.slice(0, 60)}" is not an e-mail address`);
  }
  return value.toLowerCase();
};

const codeColumn: ColumnSpec = {
  field: 'code',
  aliases: ['code', 'codigo', 'cod', 'id', 'chave', 'key'],
  required: true,
};
const municipalityColumn: ColumnSpec = {
  field: 'municipality',
  aliases: [
    'municipality',
    'municipalitycode',
    'ibge',
    'ibgecode',
    'codibge',
    'codmun',
    'codmunicipio',
    'codigomunicipio',
    'codigodomunicipio',
  ],
};
const stateColumn: ColumnSpec = { field: 'state', aliases: ['uf', 'state', 'estado', 'sguf'] };
const regionColumn: ColumnSpec = {
  field: 'region',
  aliases: [
    'region',
    'healthregion',
    'regioncode',
    'regiao',
    'codregiao',
    'regiaodesaude',
    'coregsaud',
  ],
};
const organizationColumn: ColumnSpec = {
  field: 'organization',
  aliases: ['organization', 'organisation', 'org', 'organizacao', 'orgao', 'entidade'],
};

/** Checks `end` is not before `start`; both ISO. */
function checkRange(reader: RowReader, start: string | null, end: string | null, field: string) {
  if (start && end && end < start) {
    reader.fail(reader.header(field), `${end} is before the start date ${start}`);
  }
}

function entityKind<Row extends FlatRecord>(definition: {
  name: string;
  description: string;
  target: Target;
  refs: RefNamespace[];
  columns: ColumnSpec[];
  readRow(reader: RowReader, context: KindContext): Row | null;
}): ImportKind<Row> {
  const source = `import:${definition.name}`;
  return {
    name: definition.name,
    description: definition.description,
    // Its own namespace too: rows it creates are registered there.
    refs: [
      ...new Set([...definition.refs, definition.target.namespace].filter((n) => n !== undefined)),
    ],
    columns: () => definition.columns,
    readRow: definition.readRow,
    identity: (row) => `${definition.target.name} ${definition.target.keyOf(row)}`,
    async plan(em, rows, context) {
      return [
        await planTarget(em, context.refs, definition.target, rows, {
          pruneWhere: context.prune ? { source } : null,
        }),
      ];
    },
  };
}

export const peopleKind = entityKind({
  name: 'people',
  description: 'people: code, name (nome), email, phone (telefone)',
  target: targets.Person,
  refs: [],
  columns: [
    codeColumn,
    { field: 'name', aliases: ['name', 'nome', 'nomecompleto', 'fullname'], required: true },
    { field: 'email', aliases: ['email', 'mail', 'correioeletronico'] },
    { field: 'phone', aliases: ['phone', 'telefone', 'fone', 'celular', 'whatsapp'] },
  ],
  readRow(reader) {
    const personCode = reader.required('code', code(50));
    const name = reader.required('name', text(300));
    const mail = reader.optional('email', email);
    const phone = reader.optional('phone', text(50));
    if (!personCode || !name) {
      return null;
    }
    return { code: personCode, name, nameSearch: searchText(name), email: mail, phone };
  },
});

const roleAliases: Record<string, MandateRole> = {
  apoiador: MandateRole.APOIADOR,
  apoiadora: MandateRole.APOIADOR,
  apoiadorregional: MandateRole.APOIADOR,
  gestor: MandateRole.MUNICIPAL_SECRETARY,
  gestora: MandateRole.MUNICIPAL_SECRETARY,
  secretariomunicipal: MandateRole.MUNICIPAL_SECRETARY,
  secretariamunicipal: MandateRole.MUNICIPAL_SECRETARY,
  secretariomunicipaldesaude: MandateRole.MUNICIPAL_SECRETARY,
  secretariamunicipaldesaude: MandateRole.MUNICIPAL_SECRETARY,
  prefeito: MandateRole.MAYOR,
  prefeita: MandateRole.MAYOR,
  coordenadorestadual: MandateRole.STATE_COORDINATOR,
  coordenadoraestadual: MandateRole.STATE_COORDINATOR,
  coordenadornacional: MandateRole.NATIONAL_COORDINATOR,
  coordenadoranacional: MandateRole.NATIONAL_COORDINATOR,
  facilitador: MandateRole.FACILITATOR,
  facilitadora: MandateRole.FACILITATOR,
  diretoria: MandateRole.BOARD_MEMBER,
  membrodadiretoria: MandateRole.BOARD_MEMBER,
  conselho: MandateRole.COUNCIL_SEAT,
  conselheiro: MandateRole.COUNCIL_SEAT,
  conselheira: MandateRole.COUNCIL_SEAT,
  assessortecnico: MandateRole.TECHNICAL_ADVISER,
  assessoratecnica: MandateRole.TECHNICAL_ADVISER,
  assessoria: MandateRole.TECHNICAL_ADVISER,
};

export const mandatesKind = entityKind({
  name: 'mandates',
  description:
    'mandates: code, person, role (papel), start (inicio)[, end (fim), organization, uf, municipality, regions, seat]',
  target: targets.Mandate,
  refs: ['Person', 'Organization', 'State', 'Municipality', 'HealthRegion'],
  columns: [
    codeColumn,
    { field: 'person', aliases: ['person', 'personcode', 'pessoa', 'codpessoa'], required: true },
    { field: 'role', aliases: ['role', 'papel', 'funcao', 'cargo'], required: true },
    {
      field: 'start',
      aliases: ['start', 'startdate', 'inicio', 'datainicio', 'datadeinicio'],
      required: true,
    },
    { field: 'end', aliases: ['end', 'enddate', 'fim', 'datafim', 'datadefim', 'termino'] },
    organizationColumn,
    stateColumn,
    municipalityColumn,
    {
      field: 'regions',
      aliases: ['regions', 'healthregions', 'regioes', 'regioesdesaude', 'regiao', 'region'],
    },
    { field: 'seat', aliases: ['seat', 'assento', 'vaga', 'titularidade'] },
  ],
  readRow(reader, context) {
    const mandateCode = reader.required('code', code(80));
    const person = reader.required('person', existing(context, 'Person'));
    const role = reader.required('role', oneOf(MandateRole, roleAliases));
    const start = reader.required('start', date);
    const end = reader.optional('end', date);
    checkRange(reader, start, end, 'end');
    const organization = reader.optional('organization', existing(context, 'Organization'));
    const state = reader.optional('state', existing(context, 'State'));
    const municipality = reader.optional(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const regions = reader.optional('regions', listOf(existing(context, 'HealthRegion'))) ?? [];
    const seat = reader.optional(
      'seat',
      oneOf(SeatType, { titular: SeatType.TITULAR, suplente: SeatType.SUPLENTE }),
    );
    if (
      (role === MandateRole.MUNICIPAL_SECRETARY || role === MandateRole.MAYOR) &&
      !municipality &&
      reader.raw('municipality') === ''
    ) {
      reader.fail(reader.header('municipality'), `a ${role} mandate needs a municipality`);
    }
    if (role === MandateRole.APOIADOR && regions.length === 0 && reader.raw('regions') === '') {
      reader.fail(reader.header('regions'), 'an APOIADOR mandate needs one or more health regions');
    }
    if (role === MandateRole.COUNCIL_SEAT && !seat && reader.raw('seat') === '') {
      reader.fail(
        reader.header('seat'),
        'a COUNCIL_SEAT mandate needs a seat (titular or suplente)',
      );
    }
    if (!mandateCode || !person || !role || !start) {
      return null;
    }
    return {
      code: mandateCode,
      person,
      organization,
      role,
      seat,
      state,
      municipality,
      healthRegions: [...new Set(regions)].sort(),
      startDate: start,
      endDate: end,
    };
  },
});

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

export const eventsKind = entityKind({
  name: 'events',
  description:
    'events: code, kind (tipo), title (titulo), start (data)[, end, modality, organization, uf, region, municipality, topics, participants, accesses, notes]',
  target: targets.Event,
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
    const kind = reader.required('kind', oneOf(EventKind, eventKindAliases));
    const title = reader.required('title', text(500));
    const start = reader.required('start', date);
    const end = reader.optional('end', date);
    checkRange(reader, start, end, 'end');
    const modality =
      reader.optional('modality', oneOf(Modality, modalityAliases)) ?? Modality.IN_PERSON;
    const organization = reader.optional('organization', existing(context, 'Organization'));
    const state = reader.optional('state', existing(context, 'State'));
    const region = reader.optional('region', existing(context, 'HealthRegion'));
    const municipality = reader.optional(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const topics = reader.optional('topics', listOf(text(100))) ?? [];
    const participants = reader.optional('participants', integer(0, 1_000_000));
    const accesses = reader.optional('accesses', integer(0, 100_000_000));
    const notes = reader.optional('notes', text(5000));
    if (!eventCode || !kind || !title || !start) {
      return null;
    }
    return {
      code: eventCode,
      kind,
      title,
      startDate: start,
      endDate: end,
      modality,
      organization,
      state,
      healthRegion: region,
      municipality,
      topics,
      participantCount: participants,
      accessCount: accesses,
      notes,
    };
  },
});

export const participationKind = entityKind({
  name: 'participation',
  description: 'participation: event, person or municipality[, role (papel)]',
  target: targets.Participation,
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
    if (reader.raw('person') === '' && reader.raw('municipality') === '') {
      reader.fail(null, 'give a person or a municipality');
    }
    const role =
      reader.optional(
        'role',
        oneOf(ParticipationRole, {
          organizador: ParticipationRole.ORGANISER,
          organizer: ParticipationRole.ORGANISER,
          palestrante: ParticipationRole.SPEAKER,
          participante: ParticipationRole.ATTENDEE,
        }),
      ) ?? ParticipationRole.ATTENDEE;
    if (!event || (!person && !municipality)) {
      return null;
    }
    return { event, person, municipality, role };
  },
});

export const adhesionsKind = entityKind({
  name: 'adhesions',
  description:
    'adhesions: municipality, program (programa), status (situacao), requested (data da solicitacao)[, decided, valid until, notes]',
  target: targets.Adhesion,
  refs: ['Municipality', 'Program'],
  columns: [
    { ...municipalityColumn, required: true },
    { field: 'program', aliases: ['program', 'programa', 'programcode'], required: true },
    { field: 'status', aliases: ['status', 'situacao', 'estado'], required: true },
    {
      field: 'requested',
      aliases: [
        'requested',
        'requestedon',
        'solicitacao',
        'datadasolicitacao',
        'datasolicitacao',
        'dataadesao',
        'datadeadesao',
      ],
      required: true,
    },
    {
      field: 'decided',
      aliases: ['decided', 'decidedon', 'decisao', 'datadadecisao', 'datadecisao'],
    },
    { field: 'validUntil', aliases: ['validuntil', 'validade', 'validoate', 'vigencia'] },
    { field: 'notes', aliases: ['notes', 'observacoes', 'obs'] },
  ],
  readRow(reader, context) {
    const municipality = reader.required(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const program = reader.required('program', existing(context, 'Program'));
    const status = reader.required(
      'status',
      oneOf(AdhesionStatus, {
        solicitada: AdhesionStatus.REQUESTED,
        aprovada: AdhesionStatus.APPROVED,
        deferida: AdhesionStatus.APPROVED,
        rejeitada: AdhesionStatus.REJECTED,
        indeferida: AdhesionStatus.REJECTED,
        suspensa: AdhesionStatus.SUSPENDED,
        expirada: AdhesionStatus.EXPIRED,
      }),
    );
    const requested = reader.required('requested', date);
    const decided = reader.optional('decided', date);
    checkRange(reader, requested, decided, 'decided');
    const validUntil = reader.optional('validUntil', date);
    const notes = reader.optional('notes', text(5000));
    if (!municipality || !program || !status || !requested) {
      return null;
    }
    return {
      municipality,
      program,
      status,
      requestedOn: requested,
      decidedOn: decided,
      validUntil,
      notes,
    };
  },
});

const period: CellParser<string> = (value) => {
  if (!/^\d{4}(-\d{4}|-Q[1-3])?$/.test(value)) {
    throw new CellError(`"${value}" is not a period: use 2024, 2022-2025 (PMS) or 2024-Q1 (RDQA)`);
  }
  return value;
};

export const instrumentStatusesKind = entityKind({
  name: 'instrument-statuses',
  description:
    'instrument statuses: municipality, instrument (instrumento), period (periodo), status (situacao)[, status date, due date]',
  target: targets.InstrumentStatus,
  refs: ['Municipality'],
  columns: [
    { ...municipalityColumn, required: true },
    { field: 'instrument', aliases: ['instrument', 'instrumento'], required: true },
    { field: 'period', aliases: ['period', 'periodo', 'ano', 'year', 'exercicio'], required: true },
    { field: 'status', aliases: ['status', 'situacao'], required: true },
    {
      field: 'statusDate',
      aliases: ['statusdate', 'data', 'date', 'datadasituacao', 'dataenvio', 'datadeenvio'],
    },
    { field: 'dueDate', aliases: ['duedate', 'prazo', 'datalimite'] },
  ],
  readRow(reader, context) {
    const municipality = reader.required(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const instrument = reader.required('instrument', oneOf(Instrument));
    const when = reader.required('period', period);
    const status = reader.required(
      'status',
      oneOf(InstrumentStatusValue, {
        pendente: InstrumentStatusValue.PENDING,
        emelaboracao: InstrumentStatusValue.IN_PROGRESS,
        emandamento: InstrumentStatusValue.IN_PROGRESS,
        enviado: InstrumentStatusValue.SENT,
        aprovado: InstrumentStatusValue.APPROVED,
      }),
    );
    const statusDate = reader.optional('statusDate', date);
    const dueDate = reader.optional('dueDate', date);
    if (!municipality || !instrument || !when || !status) {
      return null;
    }
    return { municipality, instrument, period: when, status, statusDate, dueDate };
  },
});
