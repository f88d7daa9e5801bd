import { ref } from '@mikro-orm/core';
import { z } from 'zod';
import { Adhesion } from './adhesion.entity';
import { Enrolment } from './enrolment.entity';
import { Program } from './program.entity';
import { AdhesionStatus } from './programs.enums';
import { Person } from '../people/person.entity';
import { Municipality } from '../territory/municipality.entity';
import { type Flat, refProblems } from '../writes/write.batch';
import { ibgeCode, localDate, naturalKey, rowIdentity } from '../writes/write.fields';
import { loadRows, pairKey, splitKeys, stateOfCode, writeSpec } from '../writes/write.spec';

const ADHESIONS = 'enrolment.adhesions';

/** A professional enrols only where the municipality's adhesion is approved, valid and not suspended. */
export const enrolmentWrites = writeSpec<Enrolment>({
  typeName: 'Enrolment',
  entity: Enrolment,
  requiredOnCreate: ['personCode', 'programCode', 'ibgeCode', 'enrolledOn'],
  schema: z.object({
    ...rowIdentity,
    personCode: naturalKey(50).nullish(),
    programCode: naturalKey(50).nullish(),
    ibgeCode: ibgeCode.nullish().describe('Municipality the professional enrols through.'),
    enrolledOn: localDate.nullish(),
  }),
  keyOf: (flat) => pairKey(flat.personCode, flat.programCode),
  load: loadRows(
    Enrolment,
    (keys) =>
      splitKeys(keys).map(([person, program]) => ({
        person: { code: person },
        program: { code: program },
      })),
    ['person', 'program', 'municipality'],
  ),
  async prepare(batch, drafts) {
    await batch.loadNamed(drafts, 'personCode', Person, 'code');
    await batch.loadNamed(drafts, 'programCode', Program, 'code');
    await batch.loadNamed(drafts, 'ibgeCode', Municipality, 'ibgeCode');
    const codes = drafts.flatMap((d) => (typeof d.ibgeCode === 'string' ? [d.ibgeCode] : []));
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
    const problems = refProblems(draft, batch, [
      ['personCode', Person, 'person', { required: true }],
      ['programCode', Program, 'program', { required: true }],
    ]);
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
  ufsOf: stateOfCode('ibgeCode'),
  create: () => new Enrolment(),
  write(row, draft: Flat, batch) {
    row.person = ref(batch.ref(Person, draft.personCode as string)!);
    row.program = ref(batch.ref(Program, draft.programCode as string)!);
    row.municipality = ref(batch.ref(Municipality, draft.ibgeCode as string)!);
    row.enrolledOn = draft.enrolledOn as string;
  },
});
