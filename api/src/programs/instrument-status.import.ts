import { Instrument, InstrumentStatusValue } from './programs.enums';
import { date, ibgeCode, oneOf } from '../imports/import.cells';
import { entityKind, existing, municipalityColumn, ruled } from '../imports/import.columns';
import { instrumentStatusTarget, instrumentStatusWrites } from './instrument-status.write';

const period = ruled(instrumentStatusWrites, 'period');

const instrumentCell = oneOf(Instrument);

const statusCell = oneOf(InstrumentStatusValue, {
  pendente: InstrumentStatusValue.PENDING,
  emelaboracao: InstrumentStatusValue.IN_PROGRESS,
  emandamento: InstrumentStatusValue.IN_PROGRESS,
  enviado: InstrumentStatusValue.SENT,
  aprovado: InstrumentStatusValue.APPROVED,
});

export const instrumentStatusesKind = entityKind({
  name: 'instrument-statuses',
  description:
    'instrument statuses: municipality, instrument (instrumento), period (periodo), status (situacao)[, status date, due date]',
  target: instrumentStatusTarget,
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
    const instrument = reader.required('instrument', instrumentCell);
    const when = reader.required('period', period);
    const status = reader.required('status', statusCell);
    const statusDate = reader.optional('statusDate', date);
    const dueDate = reader.optional('dueDate', date);
    if (!municipality || !instrument || !when || !status) {
      return null;
    }
    return { ibgeCode: municipality, instrument, period: when, status, statusDate, dueDate };
  },
});
