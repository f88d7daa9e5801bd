import { getMunicipalities, getStates } from '@brazilian-utils/brazilian-utils';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../common/paths';
import { searchText } from '../common/text';
import type { Em } from '../db/orm';
import { Municipality } from './municipality.entity';
import { MunicipalityName } from './municipality-name.entity';
import { State } from './state.entity';
import { GeographicRegion } from './territory.enums';

const regionByCode: Record<string, GeographicRegion> = {
  N: GeographicRegion.NORTE,
  NE: GeographicRegion.NORDESTE,
  SE: GeographicRegion.SUDESTE,
  S: GeographicRegion.SUL,
  CO: GeographicRegion.CENTRO_OESTE,
};

/**
 * The day the shipped names are true on. The pinned package lists Boa Esperança do Norte (MT),
 * installed on 2025-01-01, so its names are at least that recent; an official file of an earlier
 * day (DATASUS's ~2020 tables) records its spellings as older names instead of renaming.
 */
export const SHIPPED_TERRITORY_AS_OF = '2025-01-01';

interface CapitalsFile {
  source: string;
  capitals: { uf: string; ibgeCode: string; name: string }[];
}

export function shippedCapitals(): CapitalsFile['capitals'] {
  const file = path.join(projectRoot, 'seeds', 'territory', 'capitals.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as CapitalsFile).capitals;
}

/** The shipped territory: 27 states and every municipality, from @brazilian-utils/brazilian-utils. */
export function shippedTerritory() {
  const capitals = new Set(shippedCapitals().map((capital) => capital.ibgeCode));
  const states = getStates().map((state) => ({
    uf: state.code as string,
    ibgeCode: String(state.ibgeCode),
    name: state.name,
    region: regionByCode[state.regionCode]!,
  }));
  const municipalities = states.flatMap((state) =>
    getMunicipalities(state.uf as Parameters<typeof getMunicipalities>[0]).map((municipality) => ({
      uf: state.uf,
      ibgeCode: municipality.code,
      name: municipality.name,
      isCapital: capitals.has(municipality.code),
    })),
  );
  return { states, municipalities };
}

let ufByStateCode: Map<string, string> | null = null;
/** "43" → "RS", from the shipped state list. */
export function ufOfStateCode(stateCode: string): string | undefined {
  ufByStateCode ??= new Map(shippedTerritory().states.map((state) => [state.ibgeCode, state.uf]));
  return ufByStateCode.get(stateCode);
}

export interface TerritorySeedResult {
  statesCreated: number;
  municipalitiesCreated: number;
}

/**
 * Loads the shipped territory; idempotent: only rows missing by natural key are inserted, so a
 * restart (or a database that imports have since enriched) is left as it is.
 */
export async function seedTerritory(em: Em): Promise<TerritorySeedResult> {
  const { states, municipalities } = shippedTerritory();
  return em.transactional(async (tx) => {
    const existingStates = new Map((await tx.find(State, {})).map((state) => [state.uf, state]));
    const missingStates = states.filter((state) => !existingStates.has(state.uf));
    if (missingStates.length > 0) {
      await tx.insertMany(
        State,
        missingStates.map((state) => ({
          ...state,
          source: 'seed:brazilian-utils',
          createdAt: new Date(),
          updatedAt: new Date(),
          version: 1,
        })),
      );
    }
    const stateIds = new Map((await tx.find(State, {})).map((state) => [state.uf, state.id]));
    const existingCodes = new Set(
      (await tx.find(Municipality, {}, { fields: ['ibgeCode'] })).map(
        (municipality) => municipality.ibgeCode,
      ),
    );
    const missing = municipalities.filter(
      (municipality) => !existingCodes.has(municipality.ibgeCode),
    );
    const now = new Date();
    const stamp = { source: 'seed:brazilian-utils', createdAt: now, updatedAt: now, version: 1 };
    for (let start = 0; start < missing.length; start += 500) {
      const slice = missing.slice(start, start + 500);
      await tx.insertMany(
        Municipality,
        slice.map((municipality) => ({
          ibgeCode: municipality.ibgeCode,
          name: municipality.name,
          nameAsOf: SHIPPED_TERRITORY_AS_OF,
          nameSearch: searchText(municipality.name),
          state: stateIds.get(municipality.uf)!,
          isCapital: municipality.isCapital,
          ...stamp,
        })),
      );
      // Each name starts the municipality's name history.
      const inserted = await tx.find(
        Municipality,
        { ibgeCode: { $in: slice.map((municipality) => municipality.ibgeCode) } },
        { fields: ['ibgeCode', 'name'] },
      );
      await tx.insertMany(
        MunicipalityName,
        inserted.map((municipality) => ({
          municipality: municipality.id,
          name: municipality.name,
          knownFrom: SHIPPED_TERRITORY_AS_OF,
          knownTo: SHIPPED_TERRITORY_AS_OF,
          ...stamp,
        })),
      );
    }
    return { statesCreated: missingStates.length, municipalitiesCreated: missing.length };
  });
}
