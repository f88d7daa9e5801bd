import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { PopulationEstimate } from '../../src/territory/population-estimate.entity';
import { SizeClass } from '../../src/territory/territory.enums';
import { countsByEntity } from '../../src/imports/import.engine';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../helpers';
import { graphFingerprint, importFiles, referenceDir } from './import-helpers';

if (!referenceDir) {
  if (process.env.CI === 'true') {
    throw new Error(
      '../shared/data/reference is missing; on CI the reference files must be present',
    );
  }
  process.stderr.write(
    '\n[skip] ../shared/data/reference is absent: reference-file imports are skipped\n',
  );
}

const reference = (name: string) => path.join(referenceDir ?? '', name);

/** The official files, as published, imported end to end with their counts. */
describe.skipIf(!databaseAvailable || !referenceDir)(`reference files (${driver})`, () => {
  let test: TestApp;

  beforeAll(async () => {
    test = await createTestApp();
  });
  afterAll(async () => {
    await test?.close();
  });

  it('imports the DATASUS municipality table with its macroregions', async () => {
    const file = reference('datasus_municip_macsaud.csv');
    const outcome = await importFiles(test.app.orm, 'territory-datasus', [file]);
    expect(outcome.status).toBe('applied');
    if (outcome.status !== 'applied') {
      return;
    }
    expect(outcome.rows).toBe(5570);
    expect(outcome.notes).toEqual(
      expect.arrayContaining([
        'skipped 27 row(s): not active (CO_STATUS_municip IGNOR)',
        'skipped 61 row(s): not active (CO_STATUS_municip TRANSF)',
        'skipped 1 row(s): not active (CO_STATUS_municip EXTINT)',
      ]),
    );
    expect(outcome.notes.join('\n')).toMatch(/lines read as Latin-1\/Windows-1252/);
    const counts = countsByEntity(outcome.plans);
    expect(counts.HealthMacroregion).toEqual({
      created: 118,
      updated: 0,
      unchanged: 0,
      deleted: 0,
    });
    expect(
      counts.Municipality!.created + counts.Municipality!.updated + counts.Municipality!.unchanged,
    ).toBe(5570);
    expect(counts.Municipality!.created).toBe(0);

    const em = test.app.orm.em.fork();
    expect(await em.count(Municipality, { isCapital: true })).toBe(27);
    expect(await em.count(Municipality, { latitude: { $ne: null } })).toBe(5570);
    const torixoreu = await em.findOneOrFail(Municipality, { ibgeCode: '5108204' });
    expect(torixoreu.name).toBe('Torixoréu');

    // Unchanged file: recognised and skipped; forced: everything unchanged, nothing written.
    const fingerprint = await graphFingerprint(test.app.orm);
    expect((await importFiles(test.app.orm, 'territory-datasus', [file])).status).toBe('skipped');
    const forced = await importFiles(test.app.orm, 'territory-datasus', [file], { force: true });
    expect(forced.status).toBe('unchanged');
    expect(await graphFingerprint(test.app.orm)).toEqual(fingerprint);
  });

  it('imports the Santa Catarina health regions from 6-digit SUS codes', async () => {
    const outcome = await importFiles(test.app.orm, 'health-regions', [
      reference('datasus_regsaud_sc.csv'),
    ]);
    expect(outcome.status).toBe('applied');
    if (outcome.status !== 'applied') {
      return;
    }
    expect(outcome.rows).toBe(295);
    expect(countsByEntity(outcome.plans)).toEqual({
      HealthRegion: { created: 17, updated: 0, unchanged: 0, deleted: 0 },
      Municipality: { created: 0, updated: 295, unchanged: 0, deleted: 0 },
      RegionMembership: { created: 295, updated: 0, unchanged: 0, deleted: 0 },
    });
    const em = test.app.orm.em.fork();
    const sc = await em.find(HealthRegion, { code: { $like: '42%' } });
    expect(sc).toHaveLength(17);
    expect(await em.count(Municipality, { healthRegion: { code: { $like: '42%' } } })).toBe(295);
  });

  it('imports twelve years of IBGE estimates and keeps the newest on the municipality', async () => {
    const outcome = await importFiles(test.app.orm, 'population-ibge', [
      reference('ibge_populacao_municipios_2008_2019.csv'),
    ]);
    expect(outcome.status).toBe('applied');
    if (outcome.status !== 'applied') {
      return;
    }
    expect(outcome.rows).toBe(66_840);
    expect(countsByEntity(outcome.plans)).toEqual({
      PopulationEstimate: { created: 66_840, updated: 0, unchanged: 0, deleted: 0 },
      Municipality: { created: 0, updated: 5570, unchanged: 0, deleted: 0 },
    });
    const em = test.app.orm.em.fork();
    expect(await em.count(PopulationEstimate, {})).toBe(66_840);
    const poa = await em.findOneOrFail(Municipality, { ibgeCode: '4314902' });
    expect(poa).toMatchObject({
      population: 1_483_771,
      populationYear: 2019,
      sizeClass: SizeClass.OVER_500K,
    });
  }, 900_000);
});
