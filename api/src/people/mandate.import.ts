import { MandateRole, SeatType } from './people.enums';
import { code, date, ibgeCode, listOf, oneOf } from '../imports/import.cells';
import {
  codeColumn,
  entityKind,
  existing,
  municipalityColumn,
  organizationColumn,
  ruled,
  stateColumn,
} from '../imports/import.columns';
import { mandateTarget, mandateWrites } from './mandate.write';

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

const roleCell = oneOf(MandateRole, roleAliases);

const seatCell = oneOf(SeatType, { titular: SeatType.TITULAR, suplente: SeatType.SUPLENTE });

export const mandatesKind = entityKind({
  name: 'mandates',
  description:
    'mandates: code, person, role (papel), start (inicio)[, end (fim), organization, uf, municipality, regions, seat]',
  target: mandateTarget,
  rules: {
    spec: mandateWrites,
    columnOf: {
      startDate: 'start',
      endDate: 'end',
      healthRegionCodes: 'regions',
      municipalityIbgeCode: 'municipality',
      seat: 'seat',
    },
  },
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
    const role = reader.required('role', roleCell);
    const start = reader.required('start', ruled(mandateWrites, 'startDate', date));
    const end = reader.optional('end', ruled(mandateWrites, 'endDate', date));
    const organization = reader.optional('organization', existing(context, 'Organization'));
    const state = reader.optional('state', existing(context, 'State'));
    const municipality = reader.optional(
      'municipality',
      existing(context, 'Municipality', ibgeCode),
    );
    const regions =
      reader.optional(
        'regions',
        ruled(mandateWrites, 'healthRegionCodes', listOf(existing(context, 'HealthRegion'))),
      ) ?? [];
    const seat = reader.optional('seat', seatCell);
    if (!mandateCode || !person || !role || !start) {
      return null;
    }
    return {
      code: mandateCode,
      personCode: person,
      organizationCode: organization,
      role,
      seat,
      stateUf: state,
      municipalityIbgeCode: municipality,
      healthRegionCodes: regions,
      startDate: start,
      endDate: end,
    };
  },
});
