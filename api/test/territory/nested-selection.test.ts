import { ref } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mandate } from '../../src/people/mandate.entity';
import { MandateRole } from '../../src/people/people.enums';
import { Person } from '../../src/people/person.entity';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { State } from '../../src/territory/state.entity';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';

const asOf = '2026-06-01';

/** The Sheets add-on's biggest read: municipalities with their state, region, macroregion, gestor. */
const pull = (first: number) => `query Pull($asOf: LocalDate) {
  municipalities(filter: { uf: ["RS"] }, orderBy: [IBGE_CODE_ASC], first: ${first}) {
    nodes {
      ibgeCode
      state { uf }
      healthRegion { code macroregion { code state { uf } } }
      gestor(asOf: $asOf) { startDate person { name } }
    }
  }
}`;

interface PulledMunicipality {
  ibgeCode: string;
  state: { uf: string };
  healthRegion: { code: string; macroregion: { code: string; state: { uf: string } } } | null;
  gestor: { startDate: string; person: { name: string } } | null;
}

describe.skipIf(!databaseAvailable)('nested selections', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The resolvers' own batching; compiled reads (one statement) have compiled-reads.test.ts.
    t = await createTestApp({ env: { COMPILED_READS: 'false' } });
    const em = t.app.orm.em.fork();
    const rs = await em.findOneOrFail(State, { uf: 'RS' });
    const macroregion = em.create(HealthMacroregion, {
      code: '4305',
      name: 'Metropolitana',
      nameSearch: 'metropolitana',
      state: ref(rs),
      demo: true,
    });
    const region = em.create(HealthRegion, {
      code: '43010',
      name: 'Capital e Vale do Gravataí',
      nameSearch: 'capital e vale do gravatai',
      state: ref(rs),
      macroregion: ref(macroregion),
      demo: true,
    });
    const [portoAlegre, alvorada] = await Promise.all([
      em.findOneOrFail(Municipality, { ibgeCode: '4314902' }),
      em.findOneOrFail(Municipality, { ibgeCode: '4300604' }),
    ]);
    portoAlegre.healthRegion = ref(region);
    alvorada.healthRegion = ref(region);
    const person = (code: string, name: string) =>
      em.create(Person, { code, name, nameSearch: name.toLowerCase(), demo: true });
    const gestor = (p: Person, municipality: Municipality, startDate: string, endDate?: string) =>
      em.create(Mandate, {
        person: ref(p),
        role: MandateRole.MUNICIPAL_SECRETARY,
        municipality: ref(municipality),
        startDate,
        endDate: endDate ?? null,
        demo: true,
      });
    gestor(person('p-1', 'Ana Fictícia'), portoAlegre, '2021-01-01', '2025-01-01');
    gestor(person('p-2', 'Bruno Imaginário'), portoAlegre, '2025-01-01');
    gestor(person('p-3', 'Carla Exemplo'), alvorada, '2025-01-01');
    await em.flush();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('loads state, region, macroregion and the gestor in force, with their people', async () => {
    const result = await t.gql<{ municipalities: { nodes: PulledMunicipality[] } }>(pull(600), {
      asOf,
    });
    expect(result.errors).toBeUndefined();
    const nodes = result.data!.municipalities.nodes;
    expect(nodes).toHaveLength(497);
    const byCode = new Map(nodes.map((node) => [node.ibgeCode, node]));
    expect(byCode.get('4314902')).toEqual({
      ibgeCode: '4314902',
      state: { uf: 'RS' },
      healthRegion: { code: '43010', macroregion: { code: '4305', state: { uf: 'RS' } } },
      gestor: { startDate: '2025-01-01', person: { name: 'Bruno Imaginário' } },
    });
    expect(byCode.get('4300604')!.gestor).toEqual({
      startDate: '2025-01-01',
      person: { name: 'Carla Exemplo' },
    });
    expect(byCode.get('4300034')).toMatchObject({ healthRegion: null, gestor: null });
  });

  it('answers the gestor of an earlier day from history', async () => {
    const result = await t.gql<{ municipality: PulledMunicipality }>(
      `{ municipality(ibgeCode: "4314902") { gestor(asOf: "2022-03-01") { person { name } } } }`,
    );
    expect(result.data!.municipality.gestor).toEqual({ person: { name: 'Ana Fictícia' } });
  });

  it('sends two statements however many rows: the page with its joins, then the gestores', async () => {
    const counts: number[] = [];
    for (const first of [1, 50, 600]) {
      t.statements.reset();
      const result = await t.gql(pull(first), { asOf });
      expect(result.errors).toBeUndefined();
      counts.push(t.statements.count);
    }
    expect(counts).toEqual([2, 2, 2]);
  });

  it('follows fragments when it decides what to join', async () => {
    t.statements.reset();
    const result = await t.gql<{ municipality: PulledMunicipality }>(
      `query Lookup($asOf: LocalDate) {
        municipality(ibgeCode: "4314902") { ...Place gestor(asOf: $asOf) { ...Holder } }
      }
      fragment Place on Municipality {
        ibgeCode
        state { uf }
        ... on Municipality { healthRegion { code macroregion { code state { uf } } } }
      }
      fragment Holder on Mandate { startDate person { name } }`,
      { asOf },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.municipality).toEqual({
      ibgeCode: '4314902',
      state: { uf: 'RS' },
      healthRegion: { code: '43010', macroregion: { code: '4305', state: { uf: 'RS' } } },
      gestor: { startDate: '2025-01-01', person: { name: 'Bruno Imaginário' } },
    });
    expect(t.statements.count).toBe(2);
  });

  it('still loads what it did not join, batched', async () => {
    t.statements.reset();
    const result = await t.gql<{ healthRegion: { municipalities: { nodes: unknown[] } } }>(
      `{ healthRegion(code: "43010") {
          municipalities(first: 10) { nodes { ibgeCode state { uf } } }
          macroregion { code }
        } }`,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.healthRegion.municipalities.nodes).toHaveLength(2);
    // region; its municipalities; their state; its macroregion — never one per row.
    expect(t.statements.count).toBeLessThanOrEqual(4);
  });
});
