import { ref } from '@mikro-orm/core';
import type { Em } from '../../src/db/orm';
import { searchText } from '../../src/common/text';
import { HealthMacroregion } from '../../src/territory/health-macroregion.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { State } from '../../src/territory/state.entity';
import { sizeClassOf } from '../../src/territory/territory.enums';

/**
 * Gives every municipality of RS, SC and PR a region (30 regions in 7 macroregions per state,
 * round robin by IBGE code) and a population (1,000 + index × 1,000 within the state), so nested
 * selections and filters have something to walk.
 */
export async function seedRsRegions(em: Em): Promise<void> {
  for (const uf of ['RS', 'SC', 'PR']) {
    await seedStateRegions(em, uf);
  }
}

async function seedStateRegions(em: Em, uf: string): Promise<void> {
  const rs = await em.findOneOrFail(State, { uf });
  const prefix = rs.ibgeCode;
  const macroregions = Array.from({ length: 7 }, (_, index) =>
    em.create(HealthMacroregion, {
      code: `${prefix}${String(index + 1).padStart(2, '0')}`,
      name: `Macro ${index + 1}`,
      nameSearch: `macro ${index + 1}`,
      state: rs,
      demo: true,
    }),
  );
  const regions = Array.from({ length: 30 }, (_, index) =>
    em.create(HealthRegion, {
      code: `${prefix}${String(index + 1).padStart(3, '0')}`,
      name: `Região ${index + 1}`,
      nameSearch: searchText(`Região ${index + 1}`),
      state: rs,
      macroregion: macroregions[index % 7],
      demo: true,
    }),
  );
  const municipalities = await em.find(
    Municipality,
    { state: rs },
    { orderBy: { ibgeCode: 'asc' } },
  );
  municipalities.forEach((municipality, index) => {
    municipality.healthRegion = ref(regions[index % 30]!);
    municipality.population = 1_000 + index * 1_000;
    municipality.populationYear = 2024;
    municipality.sizeClass = sizeClassOf(municipality.population);
  });
  await em.flush();
}
