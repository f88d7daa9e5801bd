import { AdhesionStatus } from './programs.enums';
import { date, decoded, ibgeCode, oneOf } from '../imports/import.cells';
import { entityKind, existing, municipalityColumn, ruled } from '../imports/import.columns';
import {
  adhesionDates,
  adhesionTarget,
  type AdhesionTerms,
  adhesionWrites,
} from './adhesion.write';

const statusCell = oneOf(AdhesionStatus, {
  solicitada: AdhesionStatus.REQUESTED,
  aprovada: AdhesionStatus.APPROVED,
  deferida: AdhesionStatus.APPROVED,
  rejeitada: AdhesionStatus.REJECTED,
  indeferida: AdhesionStatus.REJECTED,
  suspensa: AdhesionStatus.SUSPENDED,
  expirada: AdhesionStatus.EXPIRED,
});

export const adhesionsKind = entityKind({
  name: 'adhesions',
  description:
    'adhesions: municipality, program (programa), status (situacao), requested (data da solicitacao)[, decided, valid until, notes]',
  target: adhesionTarget,
  refs: ['Municipality', 'Program'],
  rules: {
    spec: adhesionWrites,
    columnOf: { status: 'status', requestedOn: 'requested', decidedOn: 'decided' },
  },
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
    const status = reader.required('status', statusCell);
    const requested = reader.required('requested', date);
    const decided = reader.optional('decided', date);
    const validUntil = reader.optional('validUntil', date);
    const notes = reader.optional('notes', ruled(adhesionWrites, 'notes', decoded));
    if (!municipality || !program || !status || !requested) {
      return null;
    }
    // Derived as a mutation derives them; a validity the file states is its word.
    const dates = adhesionDates(
      { status, requestedOn: requested, decidedOn: decided },
      context.refs.termsOf('Program', program) as AdhesionTerms,
    );
    return {
      ibgeCode: municipality,
      programCode: program,
      status,
      requestedOn: requested,
      decidedOn: decided,
      decisionDueOn: dates.decisionDueOn,
      validUntil: validUntil ?? dates.validUntil,
      notes,
    };
  },
});
