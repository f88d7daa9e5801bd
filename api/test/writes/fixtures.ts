import { ref } from '@mikro-orm/core';
import { Organization } from '../../src/people/organization.entity';
import { OrganizationKind } from '../../src/people/people.enums';
import { Program } from '../../src/programs/program.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { ibgeCheckDigit } from '../../src/territory/ibge-code';
import { Municipality } from '../../src/territory/municipality.entity';
import { State } from '../../src/territory/state.entity';
import { searchText } from '../../src/common/text';
import { type TestApp } from '../helpers';

/**
 * A valid (check digit included) IBGE code no real municipality has: `<state code>9<nnn>` for
 * n < 1,000, then `<state code>8<nnn>` (no RS or MT code has 8 or 9 as its third digit).
 */
export function fictionalIbgeCode(stateCode: string, n: number): string {
  if (n < 0 || n >= 2000) {
    throw new Error(`n must be 0–1999 (got ${n})`);
  }
  const six = `${stateCode}${9 - Math.floor(n / 1000)}${String(n % 1000).padStart(3, '0')}`;
  return `${six}${ibgeCheckDigit(six)}`;
}

export const stateCodes = { RS: '43', MT: '51' } as const;
export type Uf = keyof typeof stateCodes;

export interface WriteFixtures {
  /** Real municipalities of each state, by IBGE code, in code order. */
  municipalities: Record<Uf, string[]>;
  region: Record<Uf, string>;
  program: string;
}

/**
 * What the write tests need beyond the shipped territory: a health region per state, an
 * organisation and a program shaped like Nota Técnica 425/2025 (window over 2025, 3 business
 * days to decide, 24 months valid).
 */
export async function seedWriteFixtures(t: TestApp): Promise<WriteFixtures> {
  const em = t.app.orm.em.fork();
  const municipalities = {} as Record<Uf, string[]>;
  const region = {} as Record<Uf, string>;
  for (const uf of ['RS', 'MT'] as const) {
    const state = await em.findOneOrFail(State, { uf });
    const rows = await em.find(Municipality, { state }, { orderBy: { ibgeCode: 'asc' } });
    municipalities[uf] = rows.map((row) => row.ibgeCode);
    const code = `${stateCodes[uf]}901`;
    em.create(HealthRegion, {
      code,
      name: `Região de teste ${uf}`,
      nameSearch: searchText(`Região de teste ${uf}`),
      state: ref(state),
      demo: false,
    });
    region[uf] = code;
  }
  em.create(Organization, {
    code: 'COSEMS-TESTE',
    name: 'COSEMS de teste',
    kind: OrganizationKind.COSEMS,
  });
  em.create(Program, {
    code: 'NT425',
    name: 'Curso de 360 horas (Nota Técnica 425/2025)',
    adhesionOpensOn: '2025-01-01',
    adhesionClosesOn: '2025-12-31',
    decisionBusinessDays: 3,
    validityMonths: 24,
  });
  await em.flush();
  return { municipalities, region, program: 'NT425' };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export interface UpsertRow {
  rowIndex: number;
  status: string;
  id: string | null;
  version: number | null;
  errors: { field: string; message: string }[];
  current: Record<string, unknown> | null;
}

export const upsertFields =
  'created updated unchanged conflicts invalid forbidden rows { rowIndex status id version errors { field message } current }';

/** Runs `upsert<plural>` and returns its result (throws on GraphQL errors). */
export async function upsert(
  t: TestApp,
  plural: string,
  inputType: string,
  rows: Record<string, unknown>[],
  headers: Record<string, string>,
  options: { atomic?: boolean; dryRun?: boolean } = {},
): Promise<{ rows: UpsertRow[] } & Record<string, number>> {
  const result = await t.gql<Record<string, { rows: UpsertRow[] } & Record<string, number>>>(
    `mutation($rows: [${inputType}!]!, $atomic: Boolean, $dryRun: Boolean) {
      result: upsert${plural}(rows: $rows, atomic: $atomic, dryRun: $dryRun) { ${upsertFields} }
    }`,
    { rows, atomic: options.atomic ?? false, dryRun: options.dryRun ?? false },
    headers,
  );
  if (result.errors) {
    throw new Error(`upsert${plural} failed: ${JSON.stringify(result.errors)}`);
  }
  return result.data!.result!;
}
