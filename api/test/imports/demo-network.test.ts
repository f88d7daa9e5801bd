import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKind } from '../../src/activity/activity.enums';
import { Event } from '../../src/activity/event.entity';
import { createLogger } from '../../src/common/logger';
import { Mandate } from '../../src/people/mandate.entity';
import { MandateRole } from '../../src/people/people.enums';
import { Person } from '../../src/people/person.entity';
import { Adhesion } from '../../src/programs/adhesion.entity';
import { Program } from '../../src/programs/program.entity';
import { startupTasks } from '../../src/startup';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { buildDemoNetwork, PROGRAM_CODE } from '../../../seeds/demo/demo.network';
import { addBusinessDaysIso as addBusinessDays } from '../../src/writes/write.fields';
import { readDemoTerritory } from '../../../seeds/demo/demo.seed';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

describe.skipIf(!databaseAvailable)(`demo network (${driver})`, () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp();
  });
  afterAll(async () => {
    await test?.close();
  });

  it('is deterministic: the same seed builds the same rows, another seed other rows', async () => {
    const full = await readDemoTerritory(test.app.orm.em.fork());
    // Two states are enough to show determinism, and keep the test quick.
    const ufs = ['RS', 'MT'];
    const territory = {
      ...full,
      states: full.states.filter((state) => ufs.includes(state.uf)),
      municipalities: full.municipalities.filter((m) => ufs.includes(m.stateUf)),
    };
    const build = (seed: number) => {
      const network = buildDemoNetwork(territory, { seed, scale: 1 });
      const firstEvents = network.events(5000).next().value;
      return digest({ ...network, firstEvents });
    };
    expect(build(425)).toBe(build(425));
    expect(build(426)).not.toBe(build(425));
  }, 300_000);

  it('counts three business days past weekends and national holidays', () => {
    expect(addBusinessDays('2025-11-17', 3)).toBe('2025-11-21'); // 20 Nov is a holiday
    expect(addBusinessDays('2025-11-28', 3)).toBe('2025-12-03'); // over a weekend
  });

  it('is built on first start, modelled on the seed reports, and marked demo', async () => {
    const config = { ...test.config, demoOnStart: true };
    const logger = createLogger({ ...config, logLevel: 'silent' });
    for (const task of startupTasks) {
      await task({ orm: test.app.orm, config, logger, seed: true });
    }
    const em = test.app.orm.em.fork();
    const people = await em.count(Person, {});
    expect(people).toBeGreaterThan(15_000);
    expect(await em.count(Person, { $or: [{ demo: false }, { source: { $ne: 'demo' } }] })).toBe(0);
    expect(await em.count(Person, { email: { $like: '%@demo.invalid' } })).toBe(people);

    // Regions: fictional, RS-like and MT-like, 449 in the country, with codes no official
    // region or macroregion can have (official codes are 5 and 4 digits).
    expect(await em.count(HealthRegion, { demo: true })).toBe(449);
    const codes = [
      ...(await em.find(HealthRegion, {})).map((region) => region.code),
      ...(await em.find(HealthMacroregion, {})).map((macroregion) => macroregion.code),
    ];
    expect(codes.filter((code) => !/^D\d{4,5}$/.test(code))).toEqual([]);
    expect(await em.count(HealthRegion, { state: { uf: 'RS' } })).toBe(30);
    expect(await em.count(HealthMacroregion, { state: { uf: 'RS' } })).toBe(7);
    expect(await em.count(HealthRegion, { state: { uf: 'MT' } })).toBe(16);
    expect(await em.count(Municipality, { healthRegion: null })).toBe(0);
    // Populations of real municipalities are never invented.
    expect(await em.count(Municipality, { population: { $ne: null } })).toBe(0);

    const apoiadores = async (uf: string) =>
      em.find(
        Mandate,
        { role: MandateRole.APOIADOR, endDate: null, state: { uf } },
        { populate: ['healthRegions'] },
      );
    const rs = await apoiadores('RS');
    expect(rs).toHaveLength(14);
    expect(new Set(rs.flatMap((m) => m.healthRegions.getItems().map((r) => r.code))).size).toBe(30);
    const mt = await apoiadores('MT');
    expect(mt).toHaveLength(16);
    expect(mt.every((m) => m.healthRegions.count() === 1)).toBe(true);

    // Council seats: a titular and a suplente per region.
    expect(await em.count(Mandate, { role: MandateRole.COUNCIL_SEAT, state: { uf: 'RS' } })).toBe(
      60,
    );

    // Gestores across the 2020 and 2024 elections: about 63% renewed in 2025.
    const gestores = await em.find(
      Mandate,
      { role: MandateRole.MUNICIPAL_SECRETARY },
      { fields: ['municipality', 'person', 'startDate'] },
    );
    const byMunicipality = new Map<number, Record<string, number>>();
    for (const m of gestores) {
      const entry = byMunicipality.get(m.municipality!.id) ?? {};
      entry[m.startDate] = m.person.id;
      byMunicipality.set(m.municipality!.id, entry);
    }
    const municipalities = await em.count(Municipality, {});
    expect(byMunicipality.size).toBe(municipalities);
    const renewed = [...byMunicipality.values()].filter(
      (terms) => terms['2021-01-01'] !== terms['2025-01-01'],
    ).length;
    expect(renewed / municipalities).toBeGreaterThan(0.6);
    expect(renewed / municipalities).toBeLessThan(0.66);
    // The term before, so turnover after the 2020 election has someone in office on both days.
    const renewedIn2021 = [...byMunicipality.values()].filter(
      (terms) => terms['2017-01-01'] !== undefined && terms['2017-01-01'] !== terms['2021-01-01'],
    ).length;
    expect(renewedIn2021 / municipalities).toBeGreaterThan(0.6);
    expect(renewedIn2021 / municipalities).toBeLessThan(0.66);

    // The NT 425/2025 program and its adhesions, decided within three business days.
    const program = await em.findOneOrFail(Program, { code: PROGRAM_CODE });
    expect(program).toMatchObject({
      adhesionOpensOn: '2025-11-15',
      adhesionClosesOn: '2025-11-30',
      decisionBusinessDays: 3,
      validityMonths: 24,
    });
    const adhesions = await em.find(Adhesion, { program });
    expect(adhesions.length).toBeGreaterThan(1500);
    expect(
      adhesions.every(
        (a) =>
          a.demo &&
          a.requestedOn >= '2025-11-15' &&
          a.requestedOn <= '2025-11-30' &&
          a.decisionDueOn === addBusinessDays(a.requestedOn, 3),
      ),
    ).toBe(true);

    // Events: monthly CIR per region over three years, web oficinas with accesses.
    expect(await em.count(Event, { kind: EventKind.CIR_MEETING })).toBe(449 * 36);
    const oficina = await em.findOneOrFail(
      Event,
      { kind: EventKind.WEB_OFICINA },
      { orderBy: { id: 'asc' } },
    );
    expect(oficina.accessCount).toBeGreaterThan(oficina.participantCount!);
    expect(await em.count(Event, { demo: false })).toBe(0);

    // A second start finds people and leaves the network alone.
    for (const task of startupTasks) {
      await task({ orm: test.app.orm, config, logger, seed: true });
    }
    expect(await em.fork().count(Person, {})).toBe(people);
  }, 600_000);
});
