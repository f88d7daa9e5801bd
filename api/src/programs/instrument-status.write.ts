import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { InstrumentStatus } from './instrument-status.entity';
import { Instrument, instrumentStatusOrder, InstrumentStatusValue } from './programs.enums';
import { Municipality } from '../territory/municipality.entity';
import { type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, localDate, rowIdentity } from '../writes/write.fields';
import { loadRows, stateOfCode, writeSpec } from '../writes/write.spec';
import { importTarget, specFields, ufOfMunicipality } from '../imports/import.targets';

function keyOf(flat: Flat): string | null {
  return typeof flat.ibgeCode === 'string' &&
    typeof flat.instrument === 'string' &&
    typeof flat.period === 'string'
    ? `${flat.ibgeCode}|${flat.instrument}|${flat.period}`
    : null;
}

export const instrumentStatusWrites = writeSpec<InstrumentStatus>({
  typeName: 'InstrumentStatus',
  plural: 'InstrumentStatuses',
  entity: InstrumentStatus,
  requiredOnCreate: ['ibgeCode', 'instrument', 'period', 'status'],
  schema: z.object({
    ...rowIdentity,
    ibgeCode: ibgeCode.nullish(),
    instrument: z.enum(Instrument).nullish(),
    period: z
      .string()
      .trim()
      .regex(
        /^\d{4}(-\d{4}|-Q[1-3])?$/,
        'Expected a year (2024), a range of years (2022-2025, a PMS) or a four-month period (2024-Q1, an RDQA)',
      )
      .nullish(),
    status: z.enum(InstrumentStatusValue).nullish(),
    statusDate: localDate.nullish(),
    dueDate: localDate.nullish(),
  }),
  keyOf,
  load: loadRows(
    InstrumentStatus,
    (keys) =>
      keys.map((key) => {
        const [code, instrument, period] = key.split('|') as [string, Instrument, string];
        return { municipality: { ibgeCode: code }, instrument, period };
      }),
    ['municipality'],
  ),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'ibgeCode', Municipality, 'ibgeCode');
  },
  snapshot: (row) => ({
    ibgeCode: row.municipality.unwrap().ibgeCode,
    instrument: row.instrument,
    period: row.period,
    status: row.status,
    statusDate: row.statusDate ?? null,
    dueDate: row.dueDate ?? null,
  }),
  check(draft, before, batch) {
    const problems = refProblems(draft, batch, [
      ['ibgeCode', Municipality, 'municipality', { required: true }],
    ]);
    if (before) {
      for (const field of ['ibgeCode', 'instrument', 'period'] as const) {
        if (before[field] !== draft[field]) {
          problems.push({ field, message: 'Part of the key: create another status instead' });
        }
      }
      const from = instrumentStatusOrder.indexOf(before.status as InstrumentStatusValue);
      const to = instrumentStatusOrder.indexOf(draft.status as InstrumentStatusValue);
      if (to < from && !batch.isAdmin) {
        problems.push({
          field: 'status',
          message: `Statuses only move forward (${instrumentStatusOrder.join(' → ')}); going back from ${String(before.status)} to ${String(draft.status)} needs an admin`,
        });
      }
    }
    return problems;
  },
  ufsOf: stateOfCode('ibgeCode'),
  create: () => new InstrumentStatus(),
  write(row, draft, batch) {
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.instrument = draft.instrument as Instrument;
    row.period = draft.period as string;
    row.status = draft.status as InstrumentStatusValue;
    row.statusDate = (draft.statusDate as string | null | undefined) ?? null;
    row.dueDate = (draft.dueDate as string | null | undefined) ?? null;
  },
});

/** How the import engine writes InstrumentStatus rows (flat, related rows by natural key). */
export const instrumentStatusTarget = importTarget(
  InstrumentStatus,
  specFields(instrumentStatusWrites, 'ibgeCode=municipality:Municipality'),
  {
    keyFields: 'ibgeCode instrument period',
    lookup: 'ibgeCode',
    stateUfOf: ufOfMunicipality,
  },
);
