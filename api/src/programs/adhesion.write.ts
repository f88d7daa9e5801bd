import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Adhesion } from './adhesion.entity';
import { Program } from './program.entity';
import { AdhesionStatus } from './programs.enums';
import { Municipality } from '../territory/municipality.entity';
import { type FieldProblem, refProblems } from '../writes/write.batch';
import {
  addBusinessDaysIso,
  addMonthsIso,
  ibgeCode,
  localDate,
  naturalKey,
  rowIdentity,
} from '../writes/write.fields';
import { loadRows, pairKey, splitKeys, stateOfCode, writeSpec } from '../writes/write.spec';
import { importTarget, specFields, ufOfMunicipality } from '../imports/import.targets';

const decided = new Set([AdhesionStatus.APPROVED, AdhesionStatus.REJECTED]);

/** What an adhesion's dates follow from: its program's decision days and months of validity. */
export type AdhesionTerms = Pick<Program, 'decisionBusinessDays' | 'validityMonths'>;

/**
 * The dates an adhesion derives (one rule for mutations, imports and the demo network): its
 * decision is due the program's business days after the request; an approved or suspended one
 * is valid the program's months after its decision.
 */
export function adhesionDates(
  adhesion: { status: string; requestedOn: string; decidedOn?: string | null },
  terms: AdhesionTerms,
): { decisionDueOn: string; validUntil: string | null } {
  const lasting =
    adhesion.status === AdhesionStatus.APPROVED || adhesion.status === AdhesionStatus.SUSPENDED;
  return {
    decisionDueOn: addBusinessDaysIso(adhesion.requestedOn, terms.decisionBusinessDays),
    validUntil:
      lasting && adhesion.decidedOn ? addMonthsIso(adhesion.decidedOn, terms.validityMonths) : null,
  };
}

/**
 * Adhesions follow Nota Técnica 425/2025: requested inside the program's window, decided within
 * its business days (weekends and national holidays skipped), valid for its months after the
 * decision — after which an approved adhesion reads as EXPIRED.
 */
export const adhesionWrites = writeSpec<Adhesion>({
  typeName: 'Adhesion',
  entity: Adhesion,
  requiredOnCreate: ['ibgeCode', 'programCode', 'status', 'requestedOn'],
  schema: z.object({
    ...rowIdentity,
    ibgeCode: ibgeCode.nullish().describe('Municipality (key, with programCode).'),
    programCode: naturalKey(50).nullish(),
    status: z.enum(AdhesionStatus).nullish(),
    requestedOn: localDate.nullish(),
    decidedOn: localDate.nullish(),
    notes: z.string().max(10_000).nullish(),
  }),
  keyOf: (flat) => pairKey(flat.ibgeCode, flat.programCode),
  load: loadRows(
    Adhesion,
    (keys) =>
      splitKeys(keys).map(([code, program]) => ({
        municipality: { ibgeCode: code },
        program: { code: program },
      })),
    ['municipality', 'program'],
  ),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'ibgeCode', Municipality, 'ibgeCode');
    await batch.loadNamed(drafts, 'programCode', Program, 'code');
  },
  snapshot: (row) => ({
    ibgeCode: row.municipality.unwrap().ibgeCode,
    programCode: row.program.unwrap().code,
    status: row.status,
    requestedOn: row.requestedOn,
    decidedOn: row.decidedOn ?? null,
    notes: row.notes ?? null,
  }),
  rowRules(draft) {
    const status = draft.status as AdhesionStatus | null | undefined;
    const requestedOn = draft.requestedOn as string | null | undefined;
    const decidedOn = (draft.decidedOn as string | null | undefined) ?? null;
    const problems: FieldProblem[] = [];
    if (status === AdhesionStatus.REQUESTED && decidedOn !== null) {
      problems.push({ field: 'decidedOn', message: 'A REQUESTED adhesion has no decision date' });
    }
    if (status && decided.has(status) && decidedOn === null) {
      problems.push({
        field: 'decidedOn',
        message: `An ${status} adhesion needs its decision date`,
      });
    }
    if (decidedOn !== null && requestedOn && decidedOn < requestedOn) {
      problems.push({
        field: 'decidedOn',
        message: `Decided (${decidedOn}) before it was requested (${requestedOn})`,
      });
    }
    return problems;
  },
  check(draft, before, batch) {
    const problems = refProblems(draft, batch, [
      ['ibgeCode', Municipality, 'municipality', { required: true }],
      ['programCode', Program, 'program', { required: true }],
    ]);
    const program = batch.ref(Program, draft.programCode as string);
    if (!program) {
      return problems;
    }
    for (const field of ['ibgeCode', 'programCode'] as const) {
      if (before && before[field] !== draft[field]) {
        problems.push({ field, message: 'Part of the key: create another adhesion instead' });
      }
    }
    const status = draft.status as AdhesionStatus;
    const requestedOn = draft.requestedOn as string;
    const decidedOn = (draft.decidedOn as string | null | undefined) ?? null;
    if (
      (!before || before.requestedOn !== requestedOn) &&
      (requestedOn < program.adhesionOpensOn || requestedOn > program.adhesionClosesOn)
    ) {
      problems.push({
        field: 'requestedOn',
        message: `Outside the adhesion window of ${program.code} (${program.adhesionOpensOn} to ${program.adhesionClosesOn})`,
      });
    }
    if (status === AdhesionStatus.EXPIRED) {
      problems.push({
        field: 'status',
        message:
          'EXPIRED is not set by hand: an approved adhesion reads as expired after validUntil',
      });
    }
    if (
      status === AdhesionStatus.SUSPENDED &&
      before?.status !== AdhesionStatus.APPROVED &&
      before?.status !== AdhesionStatus.SUSPENDED
    ) {
      problems.push({ field: 'status', message: 'Only an approved adhesion can be suspended' });
    }
    const decisionChanged = !before || before.status !== status || before.decidedOn !== decidedOn;
    if (decided.has(status) && decidedOn !== null && decisionChanged) {
      const due = adhesionDates({ status, requestedOn }, program).decisionDueOn;
      // A decision before the request is the row's own rule (`rowRules`); the deadline is later.
      if (decidedOn > due) {
        problems.push({
          field: 'decidedOn',
          message: `The decision was due by ${due} (${program.decisionBusinessDays} business days after ${requestedOn}, weekends and national holidays skipped)`,
        });
      }
    }
    return problems;
  },
  ufsOf: stateOfCode('ibgeCode'),
  create: () => new Adhesion(),
  write(row, draft, batch) {
    const program = batch.ref(Program, draft.programCode as string)!;
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.program = ref(program);
    row.status = draft.status as AdhesionStatus;
    row.requestedOn = draft.requestedOn as string;
    row.decidedOn = (draft.decidedOn as string | null | undefined) ?? null;
    Object.assign(row, adhesionDates(row, program));
    row.notes = (draft.notes as string | null | undefined) ?? null;
  },
});

/** How the import engine writes Adhesion rows (flat, related rows by natural key). */
export const adhesionTarget = importTarget(
  Adhesion,
  specFields(
    adhesionWrites,
    'ibgeCode=municipality:Municipality programCode=program:Program',
    'decisionDueOn validUntil',
  ),
  {
    keyFields: 'ibgeCode programCode',
    lookup: 'ibgeCode',
    stateUfOf: ufOfMunicipality,
  },
);
