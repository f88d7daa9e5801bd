import { EventKind, Modality } from '../../src/activity/activity.enums';
import { Event } from '../../src/activity/event.entity';
import { searchText } from '../../src/common/text';
import type { Em } from '../../src/db/orm';
import { Mandate } from '../../src/people/mandate.entity';
import { Organization } from '../../src/people/organization.entity';
import { MandateRole, OrganizationKind } from '../../src/people/people.enums';
import { Person } from '../../src/people/person.entity';
import { Adhesion } from '../../src/programs/adhesion.entity';
import { InstrumentStatus } from '../../src/programs/instrument-status.entity';
import { Program } from '../../src/programs/program.entity';
import {
  AdhesionStatus,
  Instrument,
  InstrumentStatusValue,
} from '../../src/programs/programs.enums';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { RegionMembership } from '../../src/territory/region-membership.entity';
import { State } from '../../src/territory/state.entity';
import { ManagementType, sizeClassOf } from '../../src/territory/territory.enums';

/** IBGE codes of the fixture's municipalities, by the letter the expectations use. */
export interface AnalyticsFixture {
  codes: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'POA' | 'G', string>;
  all: string[];
}

/**
 * A small network whose answers are counted by hand in `analytics.test.ts` (people are fictional):
 *
 * | muni | UF | region (now)  | macro | population | size class      | management |
 * |------|----|---------------|-------|-----------:|-----------------|------------|
 * | A    | RS | 43001         | 4301  |      3,000 | UP_TO_5K        | APS_ONLY   |
 * | B    | RS | 43001         | 4301  |      8,000 | FROM_5K_TO_10K  | PARTIAL    |
 * | C    | RS | 43002 (43001 until 2020-01-01) | 4301 | 45,000 | FROM_20K_TO_50K | FULL |
 * | D    | RS | 43002         | 4301  |    120,000 | FROM_100K_TO_500K | FULL     |
 * | E    | RS | none (43001 from 2018-01-01 until 2021-01-01) | – | 5,000 | UP_TO_5K | – |
 * | F    | RS | 43003         | none  |          – | –               | –          |
 * | POA  | RS | 43003 capital | none  |  1,332,570 | OVER_500K       | FULL       |
 * | G    | SC | 42001         | none  |     12,000 | FROM_10K_TO_20K | APS_ONLY   |
 *
 * Every other municipality of the shipped territory has no region and no population.
 */
export async function seedAnalyticsFixture(em: Em): Promise<AnalyticsFixture> {
  const rs = await em.findOneOrFail(State, { uf: 'RS' });
  const sc = await em.findOneOrFail(State, { uf: 'SC' });
  const rsFirst = await em.find(
    Municipality,
    { state: rs, isCapital: false },
    { orderBy: { ibgeCode: 'asc' }, limit: 6 },
  );
  const [a, b, c, d, e, f] = rsFirst as [
    Municipality,
    Municipality,
    Municipality,
    Municipality,
    Municipality,
    Municipality,
  ];
  const poa = await em.findOneOrFail(Municipality, { ibgeCode: '4314902' });
  const g = (
    await em.find(
      Municipality,
      { state: sc, isCapital: false },
      { orderBy: { ibgeCode: 'asc' }, limit: 1 },
    )
  )[0]!;

  const macro = em.create(HealthMacroregion, {
    code: '4301',
    name: 'Macro Norte',
    nameSearch: 'macro norte',
    state: rs,
    demo: true,
  });
  const region = (
    code: string,
    name: string,
    state: State,
    macroregion: HealthMacroregion | null,
  ) =>
    em.create(HealthRegion, {
      code,
      name,
      nameSearch: searchText(name),
      state,
      macroregion,
      demo: true,
    });
  const r1 = region('43001', 'Região Alfa', rs, macro);
  const r2 = region('43002', 'Região Beta', rs, macro);
  const r3 = region('43003', 'Região Capital', rs, null);
  const r4 = region('42001', 'Região Litoral', sc, null);

  const place = (
    municipality: Municipality,
    healthRegion: HealthRegion | null,
    population: number | null,
    managementType: ManagementType | null,
  ) => {
    municipality.healthRegion = healthRegion as never;
    municipality.population = population;
    municipality.populationYear = population === null ? null : 2024;
    municipality.sizeClass = sizeClassOf(population);
    municipality.managementType = managementType;
  };
  place(a, r1, 3_000, ManagementType.APS_ONLY);
  place(b, r1, 8_000, ManagementType.PARTIAL_MEDIUM_COMPLEXITY);
  place(c, r2, 45_000, ManagementType.FULL);
  place(d, r2, 120_000, ManagementType.FULL);
  place(e, null, 5_000, null);
  place(f, r3, null, null);
  place(poa, r3, 1_332_570, ManagementType.FULL);
  place(g, r4, 12_000, ManagementType.APS_ONLY);

  em.create(RegionMembership, {
    municipality: c,
    healthRegion: r1,
    validFrom: '2015-01-01',
    validTo: '2020-01-01',
  });
  em.create(RegionMembership, { municipality: c, healthRegion: r2, validFrom: '2020-01-01' });
  em.create(RegionMembership, {
    municipality: e,
    healthRegion: r1,
    validFrom: '2018-01-01',
    validTo: '2021-01-01',
  });

  const person = (code: string, name: string) =>
    em.create(Person, { code, name, nameSearch: searchText(name), demo: true });
  const mandate = (
    who: Person,
    role: MandateRole,
    startDate: string,
    endDate: string | null,
    scope: { municipality?: Municipality; regions?: HealthRegion[] },
  ) => {
    const created = em.create(Mandate, {
      person: who,
      role,
      startDate,
      endDate,
      municipality: scope.municipality ?? null,
      demo: true,
    });
    created.healthRegions.set(scope.regions ?? []);
    return created;
  };

  // Apoiadores: Ana covered 43001 and 43002 in 2019–2020; Bruno has covered 43001 since 2021.
  const ana = person('AP-ANA', 'Ana Apoio Teste');
  const bruno = person('AP-BRUNO', 'Bruno Apoio Teste');
  const carla = person('AP-CARLA', 'Carla Apoio Teste');
  mandate(ana, MandateRole.APOIADOR, '2019-01-01', '2021-01-01', { regions: [r1, r2] });
  mandate(bruno, MandateRole.APOIADOR, '2021-01-01', null, { regions: [r1] });
  mandate(carla, MandateRole.APOIADOR, '2020-01-01', null, { regions: [r4] });

  // Gestores (municipal health secretaries) and mayors.
  const gestor = (code: string, municipality: Municipality, start: string, end: string | null) =>
    mandate(person(code, `Gestor ${code}`), MandateRole.MUNICIPAL_SECRETARY, start, end, {
      municipality,
    });
  gestor('G-A1', a, '2017-01-01', '2021-01-01');
  gestor('G-A2', a, '2021-01-01', null);
  gestor('G-B', b, '2017-01-01', null);
  gestor('G-C1', c, '2019-01-01', '2021-03-01');
  gestor('G-C2', c, '2021-03-01', null);
  gestor('G-E', e, '2020-01-01', '2021-01-01');
  gestor('G-POA1', poa, '2017-01-01', '2021-01-01');
  gestor('G-POA2', poa, '2021-01-01', null);
  gestor('G-G', g, '2019-01-01', null);
  const mayorA1 = person('P-A1', 'Prefeito A1');
  const mayorA2 = person('P-A2', 'Prefeito A2');
  const mayorB = person('P-B', 'Prefeita B');
  const mayorC = person('P-C', 'Prefeito C');
  mandate(mayorA1, MandateRole.MAYOR, '2017-01-01', '2021-01-01', { municipality: a });
  mandate(mayorA2, MandateRole.MAYOR, '2021-01-01', null, { municipality: a });
  mandate(mayorB, MandateRole.MAYOR, '2017-01-01', '2021-01-01', { municipality: b });
  mandate(mayorB, MandateRole.MAYOR, '2021-01-01', null, { municipality: b });
  mandate(mayorC, MandateRole.MAYOR, '2017-01-01', null, { municipality: c });

  // Events.
  const cosems = em.create(Organization, {
    code: 'COSEMS-RS',
    name: 'COSEMS/RS',
    kind: OrganizationKind.COSEMS,
    state: rs,
  });
  const conasems = em.create(Organization, {
    code: 'CONASEMS',
    name: 'CONASEMS',
    kind: OrganizationKind.CONASEMS,
  });
  const event = (
    kind: EventKind,
    startDate: string,
    modality: Modality,
    organization: Organization | null,
    state: State | null,
    healthRegion: HealthRegion | null,
    participantCount: number | null,
    accessCount: number | null = null,
  ) =>
    em.create(Event, {
      kind,
      title: `${kind} ${startDate}`,
      startDate,
      modality,
      organization,
      state,
      healthRegion,
      participantCount,
      accessCount,
      topics: [],
      demo: true,
    });
  const { IN_PERSON, ONLINE, HYBRID } = Modality;
  event(EventKind.CIR_MEETING, '2024-03-05', IN_PERSON, cosems, rs, r1, 20);
  event(EventKind.CIR_MEETING, '2024-03-20', IN_PERSON, cosems, rs, r2, 15);
  event(EventKind.WEB_OFICINA, '2024-03-12', ONLINE, cosems, rs, null, 120, 340);
  event(EventKind.WEB_OFICINA, '2024-04-02', ONLINE, conasems, null, null, 200, 510);
  event(EventKind.CIB_MEETING, '2024-04-18', HYBRID, cosems, rs, null, 40);
  event(EventKind.TECHNICAL_VISIT, '2023-11-10', IN_PERSON, null, rs, r1, null);
  event(EventKind.ASSEMBLY, '2024-03-15', IN_PERSON, null, sc, r4, 30);
  const deleted = event(EventKind.CIR_MEETING, '2024-03-07', IN_PERSON, cosems, rs, r1, 999);
  deleted.deletedAt = new Date();

  // Adhesions to the 360-hour course (and one to another program).
  const course = em.create(Program, {
    code: 'NT-425-2025',
    name: 'Curso de 360 horas',
    adhesionOpensOn: '2025-01-01',
    adhesionClosesOn: '2025-12-31',
    decisionBusinessDays: 3,
    validityMonths: 24,
  });
  const other = em.create(Program, {
    code: 'OUTRO',
    name: 'Outro programa',
    adhesionOpensOn: '2025-01-01',
    adhesionClosesOn: '2025-12-31',
    decisionBusinessDays: 3,
    validityMonths: 24,
  });
  const adhesion = (
    municipality: Municipality,
    program: Program,
    status: AdhesionStatus,
    validUntil: string | null = null,
  ) =>
    em.create(Adhesion, {
      municipality,
      program,
      status,
      requestedOn: '2020-01-10',
      validUntil,
      demo: true,
    });
  adhesion(a, course, AdhesionStatus.APPROVED, '2099-12-31');
  adhesion(b, course, AdhesionStatus.APPROVED, '2021-01-01');
  adhesion(c, course, AdhesionStatus.REQUESTED);
  adhesion(d, course, AdhesionStatus.REJECTED);
  adhesion(poa, course, AdhesionStatus.SUSPENDED);
  adhesion(g, course, AdhesionStatus.APPROVED, '2099-12-31');
  adhesion(a, other, AdhesionStatus.APPROVED, '2099-12-31');

  // RAG 2023 (due 2024-03-30) and one PMS.
  const status = (
    municipality: Municipality,
    instrument: Instrument,
    period: string,
    value: InstrumentStatusValue,
    statusDate: string | null,
    dueDate: string,
  ) =>
    em.create(InstrumentStatus, {
      municipality,
      instrument,
      period,
      status: value,
      statusDate,
      dueDate,
      demo: true,
    });
  const { RAG, PMS } = Instrument;
  const { PENDING, IN_PROGRESS, SENT, APPROVED } = InstrumentStatusValue;
  status(a, RAG, '2023', SENT, '2024-03-10', '2024-03-30');
  status(b, RAG, '2023', APPROVED, '2024-05-01', '2024-03-30');
  status(c, RAG, '2023', SENT, '2024-04-15', '2024-03-30');
  status(d, RAG, '2023', IN_PROGRESS, null, '2024-03-30');
  status(poa, RAG, '2023', APPROVED, '2024-03-25', '2024-03-30');
  status(g, RAG, '2023', PENDING, null, '2024-03-30');
  status(a, PMS, '2022-2025', APPROVED, '2022-01-10', '2021-12-31');

  await em.flush();
  const codes = { A: a, B: b, C: c, D: d, E: e, F: f, POA: poa, G: g };
  const byLetter = Object.fromEntries(
    Object.entries(codes).map(([letter, municipality]) => [letter, municipality.ibgeCode]),
  ) as AnalyticsFixture['codes'];
  return { codes: byLetter, all: Object.values(byLetter) };
}
