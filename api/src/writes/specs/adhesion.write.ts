import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Adhesion } from '../../programs/adhesion.entity';
import { Enrolment } from '../../programs/enrolment.entity';
import { Program } from '../../programs/program.entity';
import { AdhesionStatus } from '../../programs/programs.enums';
import { Person } from '../../people/person.entity';
import { Municipality } from '../../territory/municipality.entity';
import { type FieldProblem, type Flat } from '../write.batch';
import {
  addBusinessDaysIso,
  addMonthsIso,
  ibgeCode,
  localDate,
  naturalKey,
  rowIdentity,
} from '../write.fields';
import { type WriteSpec } from '../write.spec';

function pairKey(first: unknown, second: unknown): string | null {
  return typeof first === 'string' && typeof second === 'string' ? `${first}|${second}` : null;
}

function splitKeys(keys: string[]): [string, string][] {
  return keys.map((key) => key.split('|') as [string, string]);
}

const decided = new Set([AdhesionStatus.APPROVED, AdhesionStatus.REJECTED]);

/**
 * Adhesions follow Nota Técnica 425/2025: requested inside the program's window, decided within
 * its business days (weekends and national holidays skipped), valid for its months after the
 * decision — after which an approved adhesion reads as EXPIRED.
 */
export const adhesionWrites: WriteSpec<Adhesion> = {
  typeName: 'Adhesion',
  entity: Adhesion,
  fields: ['ibgeCode', 'programCode', 'status', 'requestedOn', 'decidedOn', 'notes'],
  requiredOnCreate: ['ibgeCode', 'programCode', 'status', 'requestedOn'],
  schema: z.object({
    ...rowIdentity,
    ibgeCode: ibgeCode.nullish(),
    programCode: naturalKey(50).nullish(),
    status: z.enum(AdhesionStatus).nullish(),
    requestedOn: localDate.nullish(),
    decidedOn: localDate.nullish(),
    notes: z.string().max(10_000).nullish(),
  }),
  keyOfInput: (input) => pairKey(input.ibgeCode, input.programCode),
  keyOfFlat: (flat) => pairKey(flat.ibgeCode, flat.programCode),
  load: (em, { ids, keys }) =>
    em.find(
      Adhesion,
      {
        $or: [
          { id: { $in: ids } },
          ...splitKeys(keys).map(([code, program]) => ({
            municipality: { ibgeCode: code },
            program: { code: program },
          })),
        ],
      },
      { populate: ['municipality', 'program'] },
    ),
  async prepare(batch, drafts) {
    await batch.loadRefs(
      Municipality,
      'ibgeCode',
      drafts.map((d) => d.ibgeCode as string | null),
    );
    await batch.loadRefs(
      Program,
      'code',
      drafts.map((d) => d.programCode as string | null),
    );
  },
  snapshot: (row) => ({
    ibgeCode: row.municipality.unwrap().ibgeCode,
    programCode: row.program.unwrap().code,
    status: row.status,
    requestedOn: row.requestedOn,
    decidedOn: row.decidedOn ?? null,
    notes: row.notes ?? null,
  }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    const program = batch.ref(Program, draft.programCode as string);
    if (!batch.ref(Municipality, draft.ibgeCode as string)) {
      problems.push({
        field: 'ibgeCode',
        message: `No municipality has code ${String(draft.ibgeCode)}`,
      });
    }
    if (!program) {
      problems.push({
        field: 'programCode',
        message: `No program has code ${String(draft.programCode)}`,
      });
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
    if (status === AdhesionStatus.REQUESTED && decidedOn !== null) {
      problems.push({ field: 'decidedOn', message: 'A REQUESTED adhesion has no decision date' });
    }
    if (
      status === AdhesionStatus.SUSPENDED &&
      before?.status !== AdhesionStatus.APPROVED &&
      before?.status !== AdhesionStatus.SUSPENDED
    ) {
      problems.push({ field: 'status', message: 'Only an approved adhesion can be suspended' });
    }
    if (decided.has(status)) {
      const decisionChanged = !before || before.status !== status || before.decidedOn !== decidedOn;
      if (decidedOn === null) {
        problems.push({
          field: 'decidedOn',
          message: `An ${status} adhesion needs its decision date`,
        });
      } else if (decisionChanged) {
        const due = addBusinessDaysIso(requestedOn, program.decisionBusinessDays);
        if (decidedOn < requestedOn) {
          problems.push({
            field: 'decidedOn',
            message: `Decided (${decidedOn}) before it was requested (${requestedOn})`,
          });
        } else if (decidedOn > due) {
          problems.push({
            field: 'decidedOn',
            message: `The decision was due by ${due} (${program.decisionBusinessDays} business days after ${requestedOn}, weekends and national holidays skipped)`,
          });
        }
      }
    }
    return problems;
  },
  ufsOf(flat, batch) {
    const uf = batch.ufOfCode(flat.ibgeCode as string | undefined);
    return uf ? [uf] : [];
  },
  create: () => new Adhesion(),
  write(row, draft, batch) {
    const program = batch.ref(Program, draft.programCode as string)!;
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.program = ref(program);
    row.status = draft.status as AdhesionStatus;
    row.requestedOn = draft.requestedOn as string;
    row.decidedOn = (draft.decidedOn as string | null | undefined) ?? null;
    row.decisionDueOn = addBusinessDaysIso(row.requestedOn, program.decisionBusinessDays);
    row.validUntil =
      row.decidedOn &&
      (row.status === AdhesionStatus.APPROVED || row.status === AdhesionStatus.SUSPENDED)
        ? addMonthsIso(row.decidedOn, program.validityMonths)
        : null;
    row.notes = (draft.notes as string | null | undefined) ?? null;
  },
};

const ADHESIONS = 'enrolment.adhesions';

/** A professional enrols only where the municipality's adhesion is approved, valid and not suspended. */
export const enrolmentWrites: WriteSpec<Enrolment> = {
  typeName: 'Enrolment',
  entity: Enrolment,
  fields: ['personCode', 'programCode', 'ibgeCode', 'enrolledOn'],
  requiredOnCreate: ['personCode', 'programCode', 'ibgeCode', 'enrolledOn'],
  schema: z.object({
    ...rowIdentity,
    personCode: naturalKey(50).nullish(),
    programCode: naturalKey(50).nullish(),
    ibgeCode: ibgeCode.nullish(),
    enrolledOn: localDate.nullish(),
  }),
  keyOfInput: (input) => pairKey(input.personCode, input.programCode),
  keyOfFlat: (flat) => pairKey(flat.personCode, flat.programCode),
  load: (em, { ids, keys }) =>
    em.find(
      Enrolment,
      {
        $or: [
          { id: { $in: ids } },
          ...splitKeys(keys).map(([person, program]) => ({
            person: { code: person },
            program: { code: program },
          })),
        ],
      },
      { populate: ['person', 'program', 'municipality'] },
    ),
  async prepare(batch, drafts) {
    const values = (field: string) => drafts.map((d) => d[field] as string | null | undefined);
    await batch.loadRefs(Person, 'code', values('personCode'));
    await batch.loadRefs(Program, 'code', values('programCode'));
    await batch.loadRefs(Municipality, 'ibgeCode', values('ibgeCode'));
    const codes = values('ibgeCode').filter((v): v is string => typeof v === 'string');
    const adhesions =
      codes.length === 0
        ? []
        : await batch.em.find(
            Adhesion,
            { municipality: { ibgeCode: { $in: codes } }, deletedAt: null },
            { populate: ['municipality', 'program'] },
          );
    batch.scratch.set(
      ADHESIONS,
      new Map(
        adhesions.map((a) => [`${a.municipality.unwrap().ibgeCode}|${a.program.unwrap().code}`, a]),
      ),
    );
  },
  snapshot: (row) => ({
    personCode: row.person.unwrap().code,
    programCode: row.program.unwrap().code,
    ibgeCode: row.municipality.unwrap().ibgeCode,
    enrolledOn: row.enrolledOn,
  }),
  check(draft, before, batch) {
    const problems: FieldProblem[] = [];
    if (!batch.ref(Person, draft.personCode as string)) {
      problems.push({
        field: 'personCode',
        message: `No person has code ${String(draft.personCode)}`,
      });
    }
    if (!batch.ref(Program, draft.programCode as string)) {
      problems.push({
        field: 'programCode',
        message: `No program has code ${String(draft.programCode)}`,
      });
    }
    if (problems.length > 0 || (before && before.ibgeCode === draft.ibgeCode)) {
      return problems;
    }
    const adhesions = batch.scratch.get(ADHESIONS) as Map<string, Adhesion>;
    const adhesion = adhesions.get(`${String(draft.ibgeCode)}|${String(draft.programCode)}`);
    const enrolledOn = draft.enrolledOn as string;
    const field = 'ibgeCode';
    if (!adhesion) {
      problems.push({
        field,
        message: `Municipality ${String(draft.ibgeCode)} has not adhered to ${String(draft.programCode)}`,
      });
    } else if (adhesion.status === AdhesionStatus.SUSPENDED) {
      problems.push({
        field,
        message: `The adhesion of ${String(draft.ibgeCode)} is suspended: no new enrolments`,
      });
    } else if (adhesion.status !== AdhesionStatus.APPROVED) {
      problems.push({
        field,
        message: `The adhesion of ${String(draft.ibgeCode)} is ${adhesion.status}; enrolment needs it APPROVED`,
      });
    } else if (adhesion.validUntil && adhesion.validUntil < enrolledOn) {
      problems.push({
        field,
        message: `The adhesion of ${String(draft.ibgeCode)} expired on ${adhesion.validUntil}`,
      });
    }
    return problems;
  },
  ufsOf(flat, batch) {
    const uf = batch.ufOfCode(flat.ibgeCode as string | undefined);
    return uf ? [uf] : [];
  },
  create: () => new Enrolment(),
  write(row, draft: Flat, batch) {
    row.person = ref(batch.ref(Person, draft.personCode as string)!);
    row.program = ref(batch.ref(Program, draft.programCode as string)!);
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.enrolledOn = draft.enrolledOn as string;
  },
};
