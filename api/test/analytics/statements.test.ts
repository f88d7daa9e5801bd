import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKind, Modality } from '../../src/activity/activity.enums';
import { Event } from '../../src/activity/event.entity';
import { Mandate } from '../../src/people/mandate.entity';
import { MandateRole } from '../../src/people/people.enums';
import { Person } from '../../src/people/person.entity';
import { Adhesion } from '../../src/programs/adhesion.entity';
import { InstrumentStatus } from '../../src/programs/instrument-status.entity';
import { Program } from '../../src/programs/program.entity';
import {
  AdhesionStatus,
  Instrument,
  InstrumentStatusValue,
} from '../../src/programs/programs.enums';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { State } from '../../src/territory/state.entity';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { seedAnalyticsFixture } from './fixtures';

/** Each question, and the SQL statements it takes whatever the number of rows behind it. */
const questions: { name: string; query: string; statements: number }[] = [
  {
    name: 'municipalityStats',
    statements: 1,
    query: `{ municipalityStats(groupBy: [UF, HEALTH_REGION, SIZE_CLASS]) { groups { key { label } count populationSum share } rows { uf count } } }`,
  },
  {
    name: 'municipalityStats by the regions of a day',
    statements: 1,
    query: `{ municipalityStats(groupBy: [MACROREGION, HEALTH_REGION], regionsAsOf: "2019-06-01") { rows { label count } } }`,
  },
  {
    name: 'eventStats',
    statements: 1,
    query: `{ eventStats(groupBy: [MONTH, KIND, ORGANIZATION]) { rows { label count participantsSum accessesSum } } }`,
  },
  {
    name: 'adhesionStats',
    statements: 1,
    query: `{ adhesionStats(groupBy: [PROGRAM, STATUS, HEALTH_REGION]) { rows { label count } } }`,
  },
  {
    name: 'instrumentStats',
    statements: 1,
    query: `{ instrumentStats(groupBy: [INSTRUMENT, PERIOD, STATUS, UF]) { rows { label count onTimeCount } } }`,
  },
  {
    name: 'apoiadorCoverage',
    statements: 3,
    query: `{ apoiadorCoverage(uf: "RS", at: "2024-06-01") { groups { person { code name } regions { healthRegionCode } gestorCount } rows { personCode } } }`,
  },
  {
    name: 'gestorTurnover',
    statements: 1,
    query: `{ gestorTurnover(uf: "RS", from: "2020-10-01", to: "2024-06-01") { rows { label gestorChangedShare mayorChangedShare } } }`,
  },
  {
    name: 'adhesionRates',
    statements: 2,
    query: `{ adhesionRates(programCode: "NT-425-2025", groupBy: [UF, HEALTH_REGION]) { rows { label rate } } }`,
  },
  {
    name: 'instrumentCompliance',
    statements: 1,
    query: `{ instrumentCompliance(instrument: RAG, period: "2023") { rows { label onTimeShare } } }`,
  },
  {
    name: 'activitySummary',
    statements: 1,
    query: `{ activitySummary(uf: "RS", groupBy: [MONTH, HEALTH_REGION]) { rows { label meetingCount oficinaCount participantsSum } } }`,
  },
  {
    name: 'apoiadores of every RS region on a day',
    statements: 4,
    query: `{ healthRegions(filter: { uf: ["RS"] }, first: 100) { nodes { code apoiadores(asOf: "2024-06-01") { startDate person { code } } } } }`,
  },
  {
    name: 'region of every RS municipality on a day',
    statements: 3,
    query: `{ municipalities(filter: { uf: ["RS"] }, first: 500) { nodes { ibgeCode healthRegion(asOf: "2020-10-01") { code } } } }`,
  },
];

describe.skipIf(!databaseAvailable)('analytics statement counts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await seedAnalyticsFixture(t.app.orm.em.fork());
  });
  afterAll(async () => {
    await t?.close();
  });

  async function countStatements(query: string): Promise<number> {
    t.statements.reset();
    const result = await t.gql(query);
    expect(result.errors).toBeUndefined();
    return t.statements.count;
  }

  /** Multiplies the rows every question reads: regions, apoiadores, gestores, events, adhesions, statuses. */
  async function growTheNetwork(): Promise<void> {
    const em = t.app.orm.em.fork();
    const rs = await em.findOneOrFail(State, { uf: 'RS' });
    const program = await em.findOneOrFail(Program, { code: 'NT-425-2025' });
    const municipalities = await em.find(
      Municipality,
      { state: rs, healthRegion: null, population: null },
      { orderBy: { ibgeCode: 'asc' }, limit: 200 },
    );
    const regions = Array.from({ length: 20 }, (_, index) =>
      em.create(HealthRegion, {
        code: `43${String(index + 10).padStart(3, '0')}`,
        name: `Região Extra ${index}`,
        nameSearch: `regiao extra ${index}`,
        state: rs,
        demo: true,
      }),
    );
    municipalities.forEach((municipality, index) => {
      municipality.healthRegion = regions[index % regions.length] as never;
      municipality.population = 1_000 * (index + 1);
      const gestor = em.create(Person, {
        code: `GX-${index}`,
        name: `Gestor Extra ${index}`,
        nameSearch: `gestor extra ${index}`,
        demo: true,
      });
      em.create(Mandate, {
        person: gestor,
        role: MandateRole.MUNICIPAL_SECRETARY,
        municipality,
        startDate: '2021-01-01',
        demo: true,
      });
      em.create(Adhesion, {
        municipality,
        program,
        status: AdhesionStatus.APPROVED,
        requestedOn: '2024-01-01',
        demo: true,
      });
      em.create(InstrumentStatus, {
        municipality,
        instrument: Instrument.RAG,
        period: '2023',
        status: InstrumentStatusValue.SENT,
        statusDate: '2024-03-01',
        dueDate: '2024-03-30',
        demo: true,
      });
      em.create(Event, {
        kind: index % 2 ? EventKind.CIR_MEETING : EventKind.WEB_OFICINA,
        title: `Extra ${index}`,
        startDate: `2024-${String((index % 12) + 1).padStart(2, '0')}-10`,
        modality: Modality.ONLINE,
        state: rs,
        healthRegion: regions[index % regions.length],
        participantCount: index,
        topics: [],
        demo: true,
      });
    });
    regions.forEach((region, index) => {
      const apoiador = em.create(Person, {
        code: `AX-${index}`,
        name: `Apoiador Extra ${index}`,
        nameSearch: `apoiador extra ${index}`,
        demo: true,
      });
      const mandate = em.create(Mandate, {
        person: apoiador,
        role: MandateRole.APOIADOR,
        startDate: '2022-01-01',
        demo: true,
      });
      mandate.healthRegions.set([region, regions[(index + 1) % regions.length]!]);
    });
    await em.flush();
  }

  it('stays the same for every question when the network grows tenfold', async () => {
    const before: Record<string, number> = {};
    for (const { name, query } of questions) {
      before[name] = await countStatements(query);
    }
    await growTheNetwork();
    const after: Record<string, number> = {};
    for (const { name, query } of questions) {
      after[name] = await countStatements(query);
    }
    const expected = Object.fromEntries(
      questions.map(({ name, statements }) => [name, statements]),
    );
    expect(before).toEqual(expected);
    expect(after).toEqual(expected);

    // The second round really read the grown network: 20 more apoiadores in office.
    const coverage = await t.gql<{ apoiadorCoverage: { rows: unknown[] } }>(
      `{ apoiadorCoverage(uf: "RS", at: "2024-06-01") { rows { personCode } } }`,
    );
    expect(coverage.data!.apoiadorCoverage.rows).toHaveLength(21);
  });
});
