import { searchText } from '../../api/src/common/text';
import { adhesionDates, type AdhesionTerms } from '../../api/src/programs/adhesion.write';
import { addBusinessDaysIso, addMonthsIso } from '../../api/src/writes/write.fields';
import { personName, Random } from './demo.random';

/** What the generator reads from the database: the territory, with row ids. */
export interface DemoTerritory {
  states: { id: number; uf: string; ibgeCode: string; name: string }[];
  municipalities: {
    id: number;
    ibgeCode: string;
    name: string;
    stateId: number;
    isCapital: boolean;
    healthRegionId: number | null;
  }[];
  regions: { id: number; code: string; stateId: number }[];
  /** Macroregions already loaded: a state with any has official territory, never a demo one. */
  macroregions: { id: number; code: string; stateId: number }[];
  /** Organisations and programs that already exist are reused by code, not created again. */
  organizations: { id: number; code: string }[];
  programs: { id: number; code: string }[];
}

export interface DemoOptions {
  seed: number;
  /** Multiplies the people and events that are not one per position (visits, advisers…). */
  scale: number;
}

/**
 * Next free id per table: the generator's handles for the rows it makes, so they can point at
 * each other (and never at a stored row by mistake). The seed writes them by natural key; the
 * database assigns the ids.
 */
export type IdCursor = Record<DemoTable, number>;
export type DemoTable =
  | 'health_macroregions'
  | 'health_regions'
  | 'region_memberships'
  | 'organizations'
  | 'people'
  | 'mandates'
  | 'programs'
  | 'adhesions'
  | 'instrument_statuses'
  | 'events'
  | 'participations';

type Row = Record<string, string | number | boolean | null | string[]>;

export interface DemoNetwork {
  macroregions: Row[];
  regions: Row[];
  /** municipality id → demo region id, for municipalities of states without regions. */
  regionOfMunicipality: Map<number, number>;
  memberships: Row[];
  organizations: Row[];
  people: Row[];
  mandates: Row[];
  mandateRegions: { mandate_id: number; health_region_id: number }[];
  programs: Row[];
  adhesions: Row[];
  instrumentStatuses: Row[];
  /** Events come in batches with their participations, so a million never sit in memory. */
  events(batchSize: number): Generator<{ events: Row[]; participations: Row[] }>;
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

/** Demo regions per state (largest remainder, so the country sums to 449). */
function regionCounts(territory: DemoTerritory): Map<string, number> {
  const municipalitiesPerState = new Map<number, number>();
  for (const m of territory.municipalities) {
    municipalitiesPerState.set(m.stateId, (municipalitiesPerState.get(m.stateId) ?? 0) + 1);
  }
  const counts = new Map<string, number>();
  const others = territory.states.filter((state) => !fixedStates[state.uf]);
  const fixedTotal = Object.values(fixedStates).reduce((sum, state) => sum + state.regions, 0);
  const otherTotal = others.reduce((sum, s) => sum + (municipalitiesPerState.get(s.id) ?? 0), 0);
  const budget = NATIONAL_REGIONS - fixedTotal;
  const shares = others.map((state) => {
    const exact = ((municipalitiesPerState.get(state.id) ?? 0) / otherTotal) * budget;
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
      Math.min(share.floor, municipalitiesPerState.get(share.state.id) ?? 1),
    );
  }
  for (const [uf, fixed] of Object.entries(fixedStates)) {
    counts.set(uf, fixed.regions);
  }
  return counts;
}

/** What every phase of the generator shares: one random stream, the id cursor, the scale. */
interface DemoContext {
  territory: DemoTerritory;
  random: Random;
  next: (table: DemoTable) => number;
  scale: number;
  municipalitiesByState: Map<number, DemoTerritory['municipalities']>;
}

type RegionsByState = Map<number, { id: number; code: string; municipalities: number[] }[]>;

/** Every demo row names where it came from. */
const base = { source: 'demo' };

/**
 * Builds the fictional network over the real territory. Pure: the same territory, ids and seed
 * give the same rows. Every row is marked `demo` (where the entity has the flag) and sourced
 * `demo`; populations of real municipalities are left alone.
 */
export function buildDemoNetwork(
  territory: DemoTerritory,
  startIds: IdCursor,
  options: DemoOptions,
): DemoNetwork {
  const random = new Random(options.seed);
  const ids = { ...startIds };
  const context: DemoContext = {
    territory,
    random,
    next: (table) => ids[table]++,
    scale: Math.max(1, Math.floor(options.scale)),
    municipalitiesByState: municipalitiesByState(territory),
  };
  // The phases run in this order: each draws from the one random stream.
  const demoTerritory = buildDemoTerritory(context);
  const organizations = buildOrganizations(context);
  const people = buildPeopleAndMandates(context, demoTerritory.regionsByState, organizations);
  const programme = buildProgramAndInstruments(context);
  const events = demoEvents(context, {
    seed: options.seed + 1,
    firstIds: { events: ids.events, participations: ids.participations },
    regionsByState: demoTerritory.regionsByState,
    regionOfMunicipality: demoTerritory.regionOfMunicipality,
    organizations,
    apoiadorOfRegion: people.apoiadorOfRegion,
  });
  return {
    macroregions: demoTerritory.macroregions,
    regions: demoTerritory.regions,
    regionOfMunicipality: demoTerritory.regionOfMunicipality,
    memberships: demoTerritory.memberships,
    organizations: organizations.rows,
    people: people.people,
    mandates: people.mandates,
    mandateRegions: people.mandateRegions,
    programs: programme.programs,
    adhesions: programme.adhesions,
    instrumentStatuses: programme.instrumentStatuses,
    events: events.events,
    eventCount: events.eventCount,
    summary: people.summary,
  };
}

function municipalitiesByState(territory: DemoTerritory): DemoContext['municipalitiesByState'] {
  const byState = new Map<number, DemoTerritory['municipalities']>();
  for (const m of [...territory.municipalities].sort((a, b) =>
    a.ibgeCode.localeCompare(b.ibgeCode),
  )) {
    const list = byState.get(m.stateId) ?? [];
    list.push(m);
    byState.set(m.stateId, list);
  }
  return byState;
}

function buildDemoTerritory({ territory, next, municipalitiesByState }: DemoContext) {
  // Territory: demo regions only where a state has no official territory (regions or
  // macroregions, e.g. from DATASUS's joined table) yet.
  const macroregions: Row[] = [];
  const regions: Row[] = [];
  const memberships: Row[] = [];
  const regionOfMunicipality = new Map<number, number>();
  const regionsByState = new Map<
    number,
    { id: number; code: string; municipalities: number[] }[]
  >();
  for (const region of territory.regions) {
    const list = regionsByState.get(region.stateId) ?? [];
    list.push({
      id: region.id,
      code: region.code,
      municipalities: territory.municipalities
        .filter((m) => m.healthRegionId === region.id)
        .map((m) => m.id),
    });
    regionsByState.set(region.stateId, list);
  }
  const counts = regionCounts(territory);
  const withMacroregions = new Set(territory.macroregions.map((m) => m.stateId));
  for (const state of territory.states) {
    if (regionsByState.has(state.id) || withMacroregions.has(state.id)) {
      continue;
    }
    const municipalities = municipalitiesByState.get(state.id) ?? [];
    const regionTotal = Math.min(counts.get(state.uf) ?? 1, Math.max(1, municipalities.length));
    const macroTotal =
      fixedStates[state.uf]?.macroregions ?? Math.max(1, Math.round(regionTotal / 3.8));
    const macroIds: number[] = [];
    for (let i = 1; i <= macroTotal; i += 1) {
      const id = next('health_macroregions');
      macroIds.push(id);
      const name = `Macrorregião ${i} ${state.uf} (demo)`;
      macroregions.push({
        ...base,
        id,
        code: demoMacroregionCode(state.ibgeCode, i),
        name,
        nameSearch: searchText(name),
        state: state.id,
        demo: true,
      });
    }
    const groups = chunks(municipalities, regionTotal);
    const stateRegions: { id: number; code: string; municipalities: number[] }[] = [];
    groups.forEach((group, index) => {
      const id = next('health_regions');
      const seat = group.find((m) => m.isCapital) ?? group[0]!;
      const name = `Região ${seat.name} (demo)`;
      const code = demoRegionCode(state.ibgeCode, index + 1);
      regions.push({
        ...base,
        id,
        code,
        name,
        nameSearch: searchText(name),
        state: state.id,
        macroregion: macroIds[Math.floor((index * macroIds.length) / groups.length)]!,
        seatMunicipality: seat.id,
        demo: true,
      });
      for (const m of group) {
        regionOfMunicipality.set(m.id, id);
        memberships.push({
          ...base,
          id: next('region_memberships'),
          municipality: m.id,
          healthRegion: id,
          validFrom: null,
          validTo: null,
        });
      }
      stateRegions.push({ id, code, municipalities: group.map((m) => m.id) });
    });
    regionsByState.set(state.id, stateRegions);
  }
  return { macroregions, regions, memberships, regionOfMunicipality, regionsByState };
}

interface DemoOrganizations {
  rows: Row[];
  conasems: number;
  /** COSEMS id by state id. */
  cosems: Map<number, number>;
}

function buildOrganizations({ territory, next }: DemoContext): DemoOrganizations {
  // Organisations.
  const rows: Row[] = [];
  const existingOrganizations = new Map(territory.organizations.map((o) => [o.code, o.id]));
  const organization = (code: string, name: string, kind: string, state: number | null) => {
    const found = existingOrganizations.get(code);
    if (found !== undefined) {
      return found;
    }
    const id = next('organizations');
    rows.push({ ...base, id, code, name, kind, state });
    return id;
  };
  const conasems = organization(
    'CONASEMS',
    'Conselho Nacional de Secretarias Municipais de Saúde',
    'CONASEMS',
    null,
  );
  const cosems = new Map<number, number>();
  for (const state of territory.states) {
    cosems.set(
      state.id,
      organization(
        `COSEMS-${state.uf}`,
        `Conselho das Secretarias Municipais de Saúde — ${state.name}`,
        'COSEMS',
        state.id,
      ),
    );
  }
  return { rows, conasems, cosems };
}

function buildPeopleAndMandates(
  { territory, random, next, scale, municipalitiesByState }: DemoContext,
  regionsByState: RegionsByState,
  { conasems, cosems }: DemoOrganizations,
) {
  // People and mandates.
  const people: Row[] = [];
  const mandates: Row[] = [];
  const mandateRegions: DemoNetwork['mandateRegions'] = [];
  const person = () => {
    const id = next('people');
    const name = personName(random);
    const [given, ...rest] = searchText(name).split(' ');
    people.push({
      ...base,
      id,
      code: `DEMO-P${String(id).padStart(7, '0')}`,
      name,
      nameSearch: searchText(name),
      email: `${given}.${rest.at(-1)}.${id}@demo.invalid`,
      phone: `+55 00 9${String(random.int(0, 99_999_999)).padStart(8, '0')}`,
      demo: true,
    });
    return id;
  };
  const mandate = (fields: {
    person: number;
    role: string;
    organization?: number | null;
    state?: number | null;
    municipality?: number | null;
    seat?: string | null;
    startDate: string;
    endDate?: string | null;
    regions?: number[];
  }) => {
    const id = next('mandates');
    mandates.push({
      ...base,
      id,
      code: `DEMO-M${String(id).padStart(7, '0')}`,
      person: fields.person,
      organization: fields.organization ?? null,
      role: fields.role,
      seat: fields.seat ?? null,
      state: fields.state ?? null,
      municipality: fields.municipality ?? null,
      startDate: fields.startDate,
      endDate: fields.endDate ?? null,
      demo: true,
    });
    for (const region of fields.regions ?? []) {
      mandateRegions.push({ mandate_id: id, health_region_id: region });
    }
    return id;
  };

  for (let i = 0; i < 3; i += 1) {
    mandate({
      person: person(),
      role: 'NATIONAL_COORDINATOR',
      organization: conasems,
      startDate: '2021-03-01',
    });
  }

  const currentGestor = new Map<number, number>();
  const summary: DemoNetwork['summary'] = {};
  const apoiadorOfRegion = new Map<number, number>();
  for (const state of territory.states) {
    const org = cosems.get(state.id)!;
    for (let i = 0; i < scale; i += 1) {
      mandate({
        person: person(),
        role: 'FACILITATOR',
        organization: conasems,
        state: state.id,
        startDate: '2023-02-01',
      });
      mandate({
        person: person(),
        role: 'TECHNICAL_ADVISER',
        organization: org,
        state: state.id,
        startDate: '2022-06-01',
      });
    }
    mandate({
      person: person(),
      role: 'STATE_COORDINATOR',
      organization: org,
      state: state.id,
      startDate: '2021-04-01',
    });

    // Gestores and mayors across the 2016, 2020 and 2024 elections (terms begin on 1 January).
    const municipalities = municipalitiesByState.get(state.id) ?? [];
    for (const m of municipalities) {
      const terms = (role: string, renewal: number) => {
        let holder = person();
        for (const [index, startDate] of termStarts.entries()) {
          if (index > 0 && random.chance(renewal)) {
            holder = person();
          }
          mandate({
            person: holder,
            role,
            municipality: m.id,
            state: state.id,
            startDate,
            endDate: termStarts[index + 1] ?? null,
          });
        }
        return holder;
      };
      currentGestor.set(m.id, terms('MUNICIPAL_SECRETARY', GESTOR_RENEWAL));
      terms('MAYOR', MAYOR_RENEWAL);
    }

    // Board (diretoria) from current gestores; council seats per region.
    const gestores = municipalities.map((m) => currentGestor.get(m.id)!);
    for (const member of random.sample(gestores, Math.min(7, gestores.length))) {
      mandate({
        person: member,
        role: 'BOARD_MEMBER',
        organization: org,
        state: state.id,
        startDate: '2025-03-01',
      });
    }
    const stateRegions = regionsByState.get(state.id) ?? [];
    for (const region of stateRegions) {
      const [titular, suplente] = region.municipalities;
      if (titular !== undefined) {
        mandate({
          person: currentGestor.get(titular)!,
          role: 'COUNCIL_SEAT',
          seat: 'TITULAR',
          organization: org,
          state: state.id,
          startDate: '2025-03-01',
          regions: [region.id],
        });
      }
      mandate({
        person: suplente !== undefined ? currentGestor.get(suplente)! : person(),
        role: 'COUNCIL_SEAT',
        seat: 'SUPLENTE',
        organization: org,
        state: state.id,
        startDate: '2025-03-01',
        regions: [region.id],
      });
    }

    // Apoiadores, each covering a run of regions; some replaced a predecessor in 2021.
    const apoiadorTotal = Math.min(
      stateRegions.length,
      fixedStates[state.uf]?.apoiadores ?? Math.max(1, Math.round(stateRegions.length / 2)),
    );
    for (const group of chunks(stateRegions, apoiadorTotal)) {
      const regionIds = group.map((region) => region.id);
      const apoiador = person();
      if (random.chance(0.3)) {
        mandate({
          person: person(),
          role: 'APOIADOR',
          organization: org,
          state: state.id,
          startDate: '2019-02-01',
          endDate: '2021-03-01',
          regions: regionIds,
        });
      }
      mandate({
        person: apoiador,
        role: 'APOIADOR',
        organization: org,
        state: state.id,
        startDate: '2021-03-01',
        regions: regionIds,
      });
      regionIds.forEach((id) => apoiadorOfRegion.set(id, apoiador));
    }
    summary[state.uf] = { regions: stateRegions.length, apoiadores: apoiadorTotal };
  }
  return { people, mandates, mandateRegions, summary, apoiadorOfRegion };
}

/** Nota Técnica 425/2025: a decision within 3 business days, valid for 24 months. */
const NT_425_TERMS: AdhesionTerms = { decisionBusinessDays: 3, validityMonths: 24 };

function buildProgramAndInstruments({ territory, random, next }: DemoContext) {
  // The 360-hour course of Nota Técnica 425/2025 and the municipalities' adhesions.
  const existingProgram = territory.programs.find((program) => program.code === PROGRAM_CODE);
  const programId = existingProgram?.id ?? next('programs');
  const programs: Row[] = existingProgram
    ? []
    : [
        {
          ...base,
          id: programId,
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
  for (const m of [...territory.municipalities].sort((a, b) => a.id - b.id)) {
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
        ...base,
        id: next('adhesions'),
        municipality: m.id,
        program: programId,
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
        ...base,
        id: next('instrument_statuses'),
        municipality: m.id,
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

/** The events and their participations, generated lazily from their own random stream. */
function demoEvents(
  { territory, scale }: DemoContext,
  from: {
    seed: number;
    firstIds: { events: number; participations: number };
    regionsByState: RegionsByState;
    regionOfMunicipality: Map<number, number>;
    organizations: DemoOrganizations;
    apoiadorOfRegion: Map<number, number>;
  },
) {
  const { regionsByState, regionOfMunicipality, apoiadorOfRegion } = from;
  const { conasems, cosems } = from.organizations;
  // Events: monthly CIR per region, CIB and board per state, web oficinas, apoiador visits.
  const months: [number, number][] = [];
  for (const year of [2023, 2024, 2025]) {
    for (let month = 1; month <= 12; month += 1) {
      months.push([year, month]);
    }
  }
  const allRegions = [...regionsByState.entries()].flatMap(([stateId, list]) =>
    list.map((region) => ({ ...region, stateId })),
  );
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
  const visitsPerMunicipalityYear = scale;
  const eventCount =
    allRegions.length * months.length +
    territory.states.length * months.length * 2 +
    months.length * 2 +
    territory.municipalities.length * 3 * visitsPerMunicipalityYear;

  function* events(batchSize: number): Generator<{ events: Row[]; participations: Row[] }> {
    const rng = new Random(from.seed);
    let eventId = from.firstIds.events;
    let participationId = from.firstIds.participations;
    let batch: Row[] = [];
    let participations: Row[] = [];
    const event = (
      fields: Row,
      attendees: { municipality?: number; person?: number; role: string }[] = [],
    ) => {
      const id = eventId++;
      batch.push({
        ...base,
        id,
        code: `DEMO-E${String(id).padStart(8, '0')}`,
        organization: null,
        state: null,
        healthRegion: null,
        municipality: null,
        endDate: null,
        participantCount: null,
        accessCount: null,
        notes: null,
        topics: [],
        ...fields,
        demo: true,
      });
      for (const attendee of attendees) {
        participations.push({
          ...base,
          id: participationId++,
          event: id,
          person: attendee.person ?? null,
          municipality: attendee.municipality ?? null,
          role: attendee.role,
        });
      }
    };
    const flush = function* () {
      if (batch.length >= batchSize) {
        yield { events: batch, participations };
        batch = [];
        participations = [];
      }
    };
    for (const [year, month] of months) {
      const label = `${String(month).padStart(2, '0')}/${year}`;
      for (const region of allRegions) {
        const attending = region.municipalities.filter(() => rng.chance(0.85));
        event(
          {
            kind: 'CIR_MEETING',
            title: `Reunião ordinária da CIR ${region.code} — ${label}`,
            startDate: iso(year, month, rng.int(3, 26)),
            modality: rng.chance(0.3) ? 'HYBRID' : 'IN_PERSON',
            organization: cosems.get(region.stateId)!,
            state: region.stateId,
            healthRegion: region.id,
            participantCount: attending.length,
            topics: rng.sample(topics, 2),
          },
          year === 2025
            ? attending.map((municipality) => ({ municipality, role: 'ATTENDEE' }))
            : [],
        );
        yield* flush();
      }
      for (const state of territory.states) {
        event({
          kind: 'CIB_MEETING',
          title: `Reunião da CIB/${state.uf} — ${label}`,
          startDate: iso(year, month, rng.int(3, 26)),
          modality: 'HYBRID',
          organization: cosems.get(state.id)!,
          state: state.id,
          participantCount: rng.int(20, 60),
          topics: rng.sample(topics, 3),
        });
        event({
          kind: 'BOARD_MEETING',
          title: `Reunião de diretoria do COSEMS/${state.uf} — ${label}`,
          startDate: iso(year, month, rng.int(3, 26)),
          modality: rng.chance(0.5) ? 'ONLINE' : 'IN_PERSON',
          organization: cosems.get(state.id)!,
          state: state.id,
          participantCount: rng.int(5, 12),
        });
        yield* flush();
      }
      for (const half of [1, 2]) {
        const participants = rng.int(80, 600);
        const theme = rng.pick(topics);
        event({
          kind: 'WEB_OFICINA',
          title: `Web oficina: ${theme} (${half}ª de ${label})`,
          startDate: iso(year, month, half === 1 ? rng.int(5, 12) : rng.int(17, 25)),
          modality: 'ONLINE',
          organization: conasems,
          participantCount: participants,
          accessCount: Math.round(participants * (1.5 + rng.next() * 2.5)),
          topics: [theme],
        });
      }
      yield* flush();
    }
    for (const year of [2023, 2024, 2025]) {
      for (const m of territory.municipalities) {
        const regionId = m.healthRegionId ?? regionOfMunicipality.get(m.id) ?? null;
        const apoiador = regionId === null ? undefined : apoiadorOfRegion.get(regionId);
        for (let v = 0; v < visitsPerMunicipalityYear; v += 1) {
          event(
            {
              kind: 'TECHNICAL_VISIT',
              title: `Visita técnica a ${m.name}`,
              startDate: iso(year, rng.int(1, 12), rng.int(1, 28)),
              modality: 'IN_PERSON',
              organization: cosems.get(m.stateId)!,
              state: m.stateId,
              healthRegion: regionId,
              municipality: m.id,
              participantCount: rng.int(2, 8),
              topics: [rng.pick(topics)],
            },
            v === 0 && year === 2025 && apoiador !== undefined
              ? [{ person: apoiador, role: 'ORGANISER' }]
              : [],
          );
          yield* flush();
        }
      }
    }
    if (batch.length > 0) {
      yield { events: batch, participations };
    }
  }
  return { events, eventCount };
}
