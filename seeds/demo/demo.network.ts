import { searchText } from '../../api/src/common/text';
import { adhesionDates, type AdhesionTerms } from '../../api/src/programs/adhesion.write';
import { addBusinessDaysIso, addMonthsIso } from '../../api/src/writes/write.fields';
import { personName, Random } from './demo.random';

/** What the generator reads from the database: the territory, by natural key. */
export interface DemoTerritory {
  states: { uf: string; ibgeCode: string; name: string }[];
  municipalities: {
    ibgeCode: string;
    name: string;
    stateUf: string;
    isCapital: boolean;
    healthRegionCode: string | null;
  }[];
  regions: { code: string; stateUf: string }[];
  /** States with macroregions already loaded: official territory, never a demo one. */
  macroregionStates: string[];
  /** Organisations and programs that already exist are reused by code, not created again. */
  organizationCodes: string[];
  programCodes: string[];
}

export interface DemoOptions {
  seed: number;
  /** Multiplies the people and events that are not one per position (visits, advisers…). */
  scale: number;
}

/**
 * A generated row in the flat form every write takes: fields named as the entity's import target
 * names them, related rows by natural key (`healthRegionCode`, `personCode`).
 */
export type Row = Record<string, string | number | boolean | null | string[]>;

export interface DemoNetwork {
  macroregions: Row[];
  regions: Row[];
  /** `{ ibgeCode, healthRegionCode }`: municipalities of states without regions, given a demo one. */
  regionLinks: Row[];
  memberships: Row[];
  organizations: Row[];
  people: Row[];
  mandates: Row[];
  programs: Row[];
  adhesions: Row[];
  instrumentStatuses: Row[];
  /** Events come in batches with their participations, so a million never sit in memory. */
  events(batchSize: number): Generator<EventGroup>;
  /** How many events `events()` yields (for progress). */
  eventCount: number;
  /** Apoiadores per state, regions per state: what the seed reports describe. */
  summary: Record<string, { regions: number; apoiadores: number }>;
}

/**
 * Codes of demo regions and macroregions: the official shape (state code + number) behind a
 * `D`, so a demo row can never hold a code an official row could have (official codes are all
 * digits: 5 for a region, 4 for a macroregion) and an official import never renames one.
 */
export function demoRegionCode(stateIbgeCode: string, index: number): string {
  return `D${stateIbgeCode}${String(index).padStart(3, '0')}`;
}
export function demoMacroregionCode(stateIbgeCode: string, index: number): string {
  return `D${stateIbgeCode}${String(index).padStart(2, '0')}`;
}

/** RS and MT as the seed reports describe them; other states proportional to their size. */
const fixedStates: Record<string, { regions: number; macroregions: number; apoiadores: number }> = {
  RS: { regions: 30, macroregions: 7, apoiadores: 14 },
  MT: { regions: 16, macroregions: 6, apoiadores: 16 },
};
const NATIONAL_REGIONS = 449;
/** Share of municipalities whose gestor changed with the 2024 election (the MT report's 63%). */
export const GESTOR_RENEWAL = 0.63;
const MAYOR_RENEWAL = 0.55;
/** First days of the municipal terms the demo covers: after the 2016, 2020 and 2024 elections. */
const termStarts = ['2017-01-01', '2021-01-01', '2025-01-01'];
export const PROGRAM_CODE = 'NT-425-2025';

function iso(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Splits `items` into `parts` contiguous groups of near-equal size. */
function chunks<T>(items: readonly T[], parts: number): T[][] {
  const groups: T[][] = [];
  let start = 0;
  for (let i = 0; i < parts; i += 1) {
    const size = Math.floor(items.length / parts) + (i < items.length % parts ? 1 : 0);
    groups.push(items.slice(start, start + size));
    start += size;
  }
  return groups;
}

/** `DEMO-P0000001`: a generated row's code, by its kind's letter and its number in the run. */
const demoCode = (letter: string, digits: number, n: number) =>
  `DEMO-${letter}${String(n).padStart(digits, '0')}`;

/** Demo regions per state (largest remainder, so the country sums to 449). */
function regionCounts({ states, municipalities }: DemoTerritory): Map<string, number> {
  const municipalitiesPerState = new Map<string, number>();
  for (const m of municipalities) {
    municipalitiesPerState.set(m.stateUf, (municipalitiesPerState.get(m.stateUf) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  const others = states.filter((state) => !fixedStates[state.uf]);
  const fixedTotal = Object.values(fixedStates).reduce((sum, state) => sum + state.regions, 0);
  const otherTotal = others.reduce((sum, s) => sum + (municipalitiesPerState.get(s.uf) ?? 0), 0);
  const budget = NATIONAL_REGIONS - fixedTotal;
  const shares = others.map((state) => {
    const exact = ((municipalitiesPerState.get(state.uf) ?? 0) / otherTotal) * budget;
    return { state, floor: Math.max(1, Math.floor(exact)), remainder: exact - Math.floor(exact) };
  });
  let left = budget - shares.reduce((sum, share) => sum + share.floor, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder)) {
    if (left <= 0) {
      break;
    }
    share.floor += 1;
    left -= 1;
  }
  for (const share of shares) {
    counts.set(
      share.state.uf,
      Math.min(share.floor, municipalitiesPerState.get(share.state.uf) ?? 1),
    );
  }
  for (const [uf, fixed] of Object.entries(fixedStates)) {
    counts.set(uf, fixed.regions);
  }
  return counts;
}

/** What every phase of the generator shares: one random stream, the scale. */
interface DemoContext {
  territory: DemoTerritory;
  random: Random;
  scale: number;
  municipalitiesByState: Map<string, DemoTerritory['municipalities']>;
}

/** A state's health regions (official or demo), by code, with their municipalities' codes. */
type RegionsByState = Map<string, { code: string; municipalities: string[] }[]>;

/**
 * Builds the fictional network over the real territory. Pure: the same territory and seed give
 * the same rows. Every row is marked `demo` where the entity has the flag; populations of real
 * municipalities are left alone.
 */
export function buildDemoNetwork(territory: DemoTerritory, options: DemoOptions): DemoNetwork {
  const context: DemoContext = {
    territory,
    random: new Random(options.seed),
    scale: Math.max(1, Math.floor(options.scale)),
    municipalitiesByState: municipalitiesByState(territory),
  };
  // The phases run in this order: each draws from the one random stream.
  const { regionsByState, regionOfMunicipality, ...demoTerritory } = buildDemoTerritory(context);
  const organizations = buildOrganizations(territory);
  const { apoiadorOfRegion, ...people } = buildPeopleAndMandates(context, regionsByState);
  return {
    ...demoTerritory,
    regionLinks: [...regionOfMunicipality].map(([ibgeCode, healthRegionCode]) => ({
      ibgeCode,
      healthRegionCode,
    })),
    organizations,
    ...people,
    ...buildProgramAndInstruments(context),
    ...demoEvents(context, {
      seed: options.seed + 1,
      regionsByState,
      regionOfMunicipality,
      apoiadorOfRegion,
    }),
  };
}

function municipalitiesByState(territory: DemoTerritory): DemoContext['municipalitiesByState'] {
  const byState = new Map<string, DemoTerritory['municipalities']>();
  for (const m of [...territory.municipalities].sort((a, b) =>
    a.ibgeCode.localeCompare(b.ibgeCode),
  )) {
    const list = byState.get(m.stateUf) ?? [];
    list.push(m);
    byState.set(m.stateUf, list);
  }
  return byState;
}

function buildDemoTerritory({ territory, municipalitiesByState }: DemoContext) {
  // Territory: demo regions only where a state has no official territory (regions or
  // macroregions, e.g. from DATASUS's joined table) yet.
  const macroregions: Row[] = [];
  const regions: Row[] = [];
  const memberships: Row[] = [];
  const regionOfMunicipality = new Map<string, string>();
  const regionsByState: RegionsByState = new Map();
  for (const region of territory.regions) {
    const list = regionsByState.get(region.stateUf) ?? [];
    list.push({
      code: region.code,
      municipalities: territory.municipalities
        .filter((m) => m.healthRegionCode === region.code)
        .map((m) => m.ibgeCode),
    });
    regionsByState.set(region.stateUf, list);
  }
  const counts = regionCounts(territory);
  const withMacroregions = new Set(territory.macroregionStates);
  for (const state of territory.states) {
    if (regionsByState.has(state.uf) || withMacroregions.has(state.uf)) {
      continue;
    }
    const municipalities = municipalitiesByState.get(state.uf) ?? [];
    const regionTotal = Math.min(counts.get(state.uf) ?? 1, Math.max(1, municipalities.length));
    const macroTotal =
      fixedStates[state.uf]?.macroregions ?? Math.max(1, Math.round(regionTotal / 3.8));
    const macroCodes: string[] = [];
    for (let i = 1; i <= macroTotal; i += 1) {
      const code = demoMacroregionCode(state.ibgeCode, i);
      macroCodes.push(code);
      const name = `Macrorregião ${i} ${state.uf} (demo)`;
      macroregions.push({
        code,
        name,
        nameSearch: searchText(name),
        stateUf: state.uf,
        demo: true,
      });
    }
    const groups = chunks(municipalities, regionTotal);
    const stateRegions = groups.map((group, index) => {
      const seat = group.find((m) => m.isCapital) ?? group[0]!;
      const name = `Região ${seat.name} (demo)`;
      const code = demoRegionCode(state.ibgeCode, index + 1);
      regions.push({
        code,
        name,
        nameSearch: searchText(name),
        stateUf: state.uf,
        macroregionCode: macroCodes[Math.floor((index * macroCodes.length) / groups.length)]!,
        seatIbgeCode: seat.ibgeCode,
        demo: true,
      });
      for (const { ibgeCode } of group) {
        regionOfMunicipality.set(ibgeCode, code);
        memberships.push({ ibgeCode, healthRegionCode: code, validFrom: null, validTo: null });
      }
      return { code, municipalities: group.map((m) => m.ibgeCode) };
    });
    regionsByState.set(state.uf, stateRegions);
  }
  return { macroregions, regions, memberships, regionOfMunicipality, regionsByState };
}

const CONASEMS = 'CONASEMS';
const cosemsOf = (uf: string) => `COSEMS-${uf}`;

/** CONASEMS and a COSEMS per state, those not stored yet. */
function buildOrganizations(territory: DemoTerritory): Row[] {
  const stored = new Set(territory.organizationCodes);
  return [
    {
      code: CONASEMS,
      name: 'Conselho Nacional de Secretarias Municipais de Saúde',
      kind: 'CONASEMS',
      stateUf: null,
    },
    ...territory.states.map((state) => ({
      code: cosemsOf(state.uf),
      name: `Conselho das Secretarias Municipais de Saúde — ${state.name}`,
      kind: 'COSEMS',
      stateUf: state.uf,
    })),
  ].filter((row) => !stored.has(row.code));
}

/** A mandate as the phases below give it; the roster fills in its code and the fields left out. */
interface MandateFields {
  personCode: string;
  role: string;
  organizationCode?: string | null;
  stateUf?: string | null;
  municipalityIbgeCode?: string | null;
  seat?: string | null;
  startDate: string;
  endDate?: string | null;
  healthRegionCodes?: string[];
}

/** The people and mandates made so far; `person()` invents one and gives their code. */
function roster(random: Random) {
  const people: Row[] = [];
  const mandates: Row[] = [];
  const person = () => {
    const n = people.length + 1;
    const code = demoCode('P', 7, n);
    const name = personName(random);
    const [given, ...rest] = searchText(name).split(' ');
    people.push({
      code,
      name,
      nameSearch: searchText(name),
      email: `${given}.${rest.at(-1)}.${n}@demo.invalid`,
      phone: `+55 00 9${String(random.int(0, 99_999_999)).padStart(8, '0')}`,
      demo: true,
    });
    return code;
  };
  const mandate = (fields: MandateFields) => {
    mandates.push({
      code: demoCode('M', 7, mandates.length + 1),
      organizationCode: null,
      seat: null,
      stateUf: null,
      municipalityIbgeCode: null,
      endDate: null,
      ...fields,
      healthRegionCodes: [...(fields.healthRegionCodes ?? [])].sort(),
      demo: true,
    });
  };
  return { people, mandates, person, mandate };
}
type Roster = ReturnType<typeof roster>;

/**
 * People and their mandates: national coordinators, then per state its staff, its municipalities'
 * gestores and mayors, its board and council seats, and its apoiadores.
 */
function buildPeopleAndMandates(context: DemoContext, regionsByState: RegionsByState) {
  const staff = roster(context.random);
  for (let i = 0; i < 3; i += 1) {
    staff.mandate({
      personCode: staff.person(),
      role: 'NATIONAL_COORDINATOR',
      organizationCode: CONASEMS,
      startDate: '2021-03-01',
    });
  }
  const summary: DemoNetwork['summary'] = {};
  const apoiadorOfRegion = new Map<string, string>();
  for (const { uf } of context.territory.states) {
    const stateRegions = regionsByState.get(uf) ?? [];
    stateStaff(staff, uf, context.scale);
    const gestores = municipalTerms(staff, context, uf);
    boardAndCouncil(staff, context.random, uf, gestores, stateRegions);
    const apoiadores = apoiadoresOf(staff, context.random, uf, stateRegions, apoiadorOfRegion);
    summary[uf] = { regions: stateRegions.length, apoiadores };
  }
  return { people: staff.people, mandates: staff.mandates, summary, apoiadorOfRegion };
}

/** A state's facilitators and technical advisers (`scale` of each) and its coordinator. */
function stateStaff({ person, mandate }: Roster, stateUf: string, scale: number): void {
  const organizationCode = cosemsOf(stateUf);
  for (let i = 0; i < scale; i += 1) {
    mandate({
      personCode: person(),
      role: 'FACILITATOR',
      organizationCode: CONASEMS,
      stateUf,
      startDate: '2023-02-01',
    });
    mandate({
      personCode: person(),
      role: 'TECHNICAL_ADVISER',
      organizationCode,
      stateUf,
      startDate: '2022-06-01',
    });
  }
  mandate({
    personCode: person(),
    role: 'STATE_COORDINATOR',
    organizationCode,
    stateUf,
    startDate: '2021-04-01',
  });
}

/**
 * Gestores and mayors of a state's municipalities across the 2016, 2020 and 2024 elections
 * (terms begin on 1 January): the current gestor of each, by IBGE code.
 */
function municipalTerms(
  { person, mandate }: Roster,
  { random, municipalitiesByState }: DemoContext,
  stateUf: string,
): Map<string, string> {
  const currentGestor = new Map<string, string>();
  for (const { ibgeCode } of municipalitiesByState.get(stateUf) ?? []) {
    const terms = (role: string, renewal: number) => {
      let holder = person();
      for (const [index, startDate] of termStarts.entries()) {
        if (index > 0 && random.chance(renewal)) {
          holder = person();
        }
        const endDate = termStarts[index + 1] ?? null;
        mandate({
          personCode: holder,
          role,
          municipalityIbgeCode: ibgeCode,
          stateUf,
          startDate,
          endDate,
        });
      }
      return holder;
    };
    currentGestor.set(ibgeCode, terms('MUNICIPAL_SECRETARY', GESTOR_RENEWAL));
    terms('MAYOR', MAYOR_RENEWAL);
  }
  return currentGestor;
}

/** The COSEMS board (diretoria), from current gestores, and a titular and a suplente per region. */
function boardAndCouncil(
  { person, mandate }: Roster,
  random: Random,
  stateUf: string,
  currentGestor: Map<string, string>,
  stateRegions: { code: string; municipalities: string[] }[],
): void {
  const gestores = [...currentGestor.values()];
  const board = { organizationCode: cosemsOf(stateUf), stateUf, startDate: '2025-03-01' };
  for (const member of random.sample(gestores, Math.min(7, gestores.length))) {
    mandate({ ...board, personCode: member, role: 'BOARD_MEMBER' });
  }
  for (const region of stateRegions) {
    const [titular, suplente] = region.municipalities;
    const seat = { ...board, role: 'COUNCIL_SEAT', healthRegionCodes: [region.code] };
    if (titular !== undefined) {
      mandate({ ...seat, personCode: currentGestor.get(titular)!, seat: 'TITULAR' });
    }
    mandate({
      ...seat,
      personCode: suplente !== undefined ? currentGestor.get(suplente)! : person(),
      seat: 'SUPLENTE',
    });
  }
}

/**
 * A state's apoiadores, each covering a run of its regions (noted in `apoiadorOfRegion`); some
 * replaced a predecessor in 2021. Gives how many there are.
 */
function apoiadoresOf(
  { person, mandate }: Roster,
  random: Random,
  stateUf: string,
  stateRegions: { code: string }[],
  apoiadorOfRegion: Map<string, string>,
): number {
  const total = Math.min(
    stateRegions.length,
    fixedStates[stateUf]?.apoiadores ?? Math.max(1, Math.round(stateRegions.length / 2)),
  );
  const organizationCode = cosemsOf(stateUf);
  for (const group of chunks(stateRegions, total)) {
    const healthRegionCodes = group.map((region) => region.code);
    const apoiador = person();
    const covering = { role: 'APOIADOR', organizationCode, stateUf, healthRegionCodes };
    if (random.chance(0.3)) {
      mandate({
        ...covering,
        personCode: person(),
        startDate: '2019-02-01',
        endDate: '2021-03-01',
      });
    }
    mandate({ ...covering, personCode: apoiador, startDate: '2021-03-01' });
    healthRegionCodes.forEach((code) => apoiadorOfRegion.set(code, apoiador));
  }
  return total;
}

/** Nota Técnica 425/2025: a decision within 3 business days, valid for 24 months. */
const NT_425_TERMS: AdhesionTerms = { decisionBusinessDays: 3, validityMonths: 24 };

function buildProgramAndInstruments({ territory, random }: DemoContext) {
  // The 360-hour course of Nota Técnica 425/2025 and the municipalities' adhesions.
  const programs: Row[] = territory.programCodes.includes(PROGRAM_CODE)
    ? []
    : [
        {
          code: PROGRAM_CODE,
          name: 'Curso de 360 horas — Nota Técnica 425/2025',
          description:
            'Formação a distância; adesão municipal, decisão em 3 dias úteis, validade de 24 meses.',
          adhesionOpensOn: '2025-11-15',
          adhesionClosesOn: '2025-11-30',
          ...NT_425_TERMS,
        },
      ];
  const adhesions: Row[] = [];
  const instrumentStatuses: Row[] = [];
  for (const { ibgeCode } of territory.municipalities) {
    if (random.chance(0.42)) {
      const requestedOn = iso(2025, 11, random.int(15, 30));
      const roll = random.next();
      const status =
        roll < 0.8 ? 'APPROVED' : roll < 0.9 ? 'REQUESTED' : roll < 0.95 ? 'REJECTED' : 'SUSPENDED';
      const decidedOn =
        status === 'REQUESTED'
          ? null
          : addBusinessDaysIso(requestedOn, random.int(1, NT_425_TERMS.decisionBusinessDays));
      adhesions.push({
        ibgeCode,
        programCode: PROGRAM_CODE,
        status,
        requestedOn,
        decidedOn,
        ...adhesionDates({ status, requestedOn, decidedOn }, NT_425_TERMS),
        notes:
          status === 'SUSPENDED'
            ? 'Suspensa por descumprimento das regras do programa (demo).'
            : null,
        demo: true,
      });
    }
    const instrument = (name: string, period: string, dueDate: string, sentProbability: number) => {
      const roll = random.next();
      const status =
        roll < sentProbability * 0.7
          ? 'APPROVED'
          : roll < sentProbability
            ? 'SENT'
            : roll < sentProbability + 0.1
              ? 'IN_PROGRESS'
              : 'PENDING';
      instrumentStatuses.push({
        ibgeCode,
        instrument: name,
        period,
        status,
        statusDate: status === 'PENDING' ? null : addMonthsIso(dueDate, -random.int(0, 3)),
        dueDate,
        demo: true,
      });
    };
    instrument('PMS', '2022-2025', '2021-12-31', 0.85);
    for (const year of [2023, 2024, 2025]) {
      instrument('PAS', String(year), `${year - 1}-12-31`, year === 2025 ? 0.7 : 0.88);
      instrument('RAG', String(year - 1), `${year}-03-30`, year === 2025 ? 0.6 : 0.85);
    }
    for (const quarter of [1, 2, 3]) {
      instrument(
        'RDQA',
        `2025-Q${quarter}`,
        iso(2025, [5, 9, 2][quarter - 1]!, quarter === 3 ? 28 : 30),
        0.6,
      );
    }
  }
  return { programs, adhesions, instrumentStatuses };
}
const topics = [
  'Previne Brasil',
  'PMS',
  'RAG',
  'Vacinação',
  'Regionalização',
  'Financiamento',
  'Saúde mental',
  'APS',
  'NT 425/2025',
];
/** The months the demo's meetings fall in: 2023 to 2025. */
const months: [number, number][] = [2023, 2024, 2025].flatMap((year) =>
  Array.from({ length: 12 }, (_, index): [number, number] => [year, index + 1]),
);

/** Events written together: a batch's worth is cut only between two of these. */
interface EventGroup {
  events: Row[];
  participations: Row[];
}
type Attendee = { municipalityIbgeCode?: string; personCode?: string; role: string };
/** Makes one event's group: its row (`code` given in order, fields left out as null) and attendees. */
type EventMaker = (fields: Row, attendees?: Attendee[]) => EventGroup;

/** What the event phases read: the regions of every state, who visits each, their random stream. */
interface EventSources {
  territory: DemoTerritory;
  rng: Random;
  regions: { code: string; municipalities: string[]; stateUf: string }[];
  regionOfMunicipality: Map<string, string>;
  apoiadorOfRegion: Map<string, string>;
  visitsPerYear: number;
}

/**
 * The events and their participations, generated lazily from their own random stream and
 * handed out in batches of at least `batchSize` events: monthly CIR meetings per region, CIB and
 * board meetings per state, web oficinas, then apoiadores' technical visits.
 */
function demoEvents(
  { territory, scale }: DemoContext,
  from: {
    seed: number;
    regionsByState: RegionsByState;
    regionOfMunicipality: Map<string, string>;
    apoiadorOfRegion: Map<string, string>;
  },
) {
  const regions = [...from.regionsByState.entries()].flatMap(([stateUf, list]) =>
    list.map((region) => ({ ...region, stateUf })),
  );
  const eventCount =
    regions.length * months.length +
    territory.states.length * months.length * 2 +
    months.length * 2 +
    territory.municipalities.length * 3 * scale;

  function* events(batchSize: number): Generator<EventGroup> {
    const sources = {
      ...from,
      territory,
      rng: new Random(from.seed),
      regions,
      visitsPerYear: scale,
    };
    let made = 0;
    const event: EventMaker = (fields, attendees = []) => {
      const code = demoCode('E', 8, ++made);
      return {
        events: [
          {
            code,
            organizationCode: null,
            stateUf: null,
            healthRegionCode: null,
            municipalityIbgeCode: null,
            endDate: null,
            participantCount: null,
            accessCount: null,
            notes: null,
            topics: [],
            ...fields,
            demo: true,
          },
        ],
        participations: attendees.map((attendee) => ({
          eventCode: code,
          personCode: attendee.personCode ?? null,
          municipalityIbgeCode: attendee.municipalityIbgeCode ?? null,
          role: attendee.role,
        })),
      };
    };
    let batch: EventGroup = { events: [], participations: [] };
    const groups = function* () {
      yield* meetings(sources, event);
      yield* technicalVisits(sources, event);
    };
    for (const group of groups()) {
      batch.events.push(...group.events);
      batch.participations.push(...group.participations);
      if (batch.events.length >= batchSize) {
        yield batch;
        batch = { events: [], participations: [] };
      }
    }
    if (batch.events.length > 0) {
      yield batch;
    }
  }
  return { events, eventCount };
}

/** Each month: a CIR meeting per region, a CIB and a board meeting per state, two web oficinas. */
function* meetings(
  { territory, rng, regions }: EventSources,
  event: EventMaker,
): Generator<EventGroup> {
  for (const [year, month] of months) {
    const label = `${String(month).padStart(2, '0')}/${year}`;
    for (const region of regions) {
      const attending = region.municipalities.filter(() => rng.chance(0.85));
      yield event(
        {
          kind: 'CIR_MEETING',
          title: `Reunião ordinária da CIR ${region.code} — ${label}`,
          startDate: iso(year, month, rng.int(3, 26)),
          modality: rng.chance(0.3) ? 'HYBRID' : 'IN_PERSON',
          organizationCode: cosemsOf(region.stateUf),
          stateUf: region.stateUf,
          healthRegionCode: region.code,
          participantCount: attending.length,
          topics: rng.sample(topics, 2),
        },
        year === 2025
          ? attending.map((municipalityIbgeCode) => ({ municipalityIbgeCode, role: 'ATTENDEE' }))
          : [],
      );
    }
    for (const { uf } of territory.states) {
      const cib = event({
        kind: 'CIB_MEETING',
        title: `Reunião da CIB/${uf} — ${label}`,
        startDate: iso(year, month, rng.int(3, 26)),
        modality: 'HYBRID',
        organizationCode: cosemsOf(uf),
        stateUf: uf,
        participantCount: rng.int(20, 60),
        topics: rng.sample(topics, 3),
      });
      const board = event({
        kind: 'BOARD_MEETING',
        title: `Reunião de diretoria do COSEMS/${uf} — ${label}`,
        startDate: iso(year, month, rng.int(3, 26)),
        modality: rng.chance(0.5) ? 'ONLINE' : 'IN_PERSON',
        organizationCode: cosemsOf(uf),
        stateUf: uf,
        participantCount: rng.int(5, 12),
      });
      yield { events: [...cib.events, ...board.events], participations: [] };
    }
    const oficinas = [1, 2].map((half) => {
      const participants = rng.int(80, 600);
      const theme = rng.pick(topics);
      return event({
        kind: 'WEB_OFICINA',
        title: `Web oficina: ${theme} (${half}ª de ${label})`,
        startDate: iso(year, month, half === 1 ? rng.int(5, 12) : rng.int(17, 25)),
        modality: 'ONLINE',
        organizationCode: CONASEMS,
        participantCount: participants,
        accessCount: Math.round(participants * (1.5 + rng.next() * 2.5)),
        topics: [theme],
      }).events[0]!;
    });
    yield { events: oficinas, participations: [] };
  }
}

/** Technical visits to every municipality each year; the region's apoiador organises 2025's first. */
function* technicalVisits(
  { territory, rng, regionOfMunicipality, apoiadorOfRegion, visitsPerYear }: EventSources,
  event: EventMaker,
): Generator<EventGroup> {
  for (const year of [2023, 2024, 2025]) {
    for (const m of territory.municipalities) {
      const region = m.healthRegionCode ?? regionOfMunicipality.get(m.ibgeCode) ?? null;
      const apoiador = region === null ? undefined : apoiadorOfRegion.get(region);
      for (let v = 0; v < visitsPerYear; v += 1) {
        yield event(
          {
            kind: 'TECHNICAL_VISIT',
            title: `Visita técnica a ${m.name}`,
            startDate: iso(year, rng.int(1, 12), rng.int(1, 28)),
            modality: 'IN_PERSON',
            organizationCode: cosemsOf(m.stateUf),
            stateUf: m.stateUf,
            healthRegionCode: region,
            municipalityIbgeCode: m.ibgeCode,
            participantCount: rng.int(2, 8),
            topics: [rng.pick(topics)],
          },
          v === 0 && year === 2025 && apoiador !== undefined
            ? [{ personCode: apoiador, role: 'ORGANISER' }]
            : [],
        );
      }
    }
  }
}
