import { ReferenceKind, ref, type EntityMetadata } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlainRow, readRows } from '../../src/graphql/rows';
import { Mandate } from '../../src/people/mandate.entity';
import { MandateRole } from '../../src/people/people.enums';
import { Person } from '../../src/people/person.entity';
import { HealthRegion } from '../../src/territory/health-region.entity';
import { Municipality } from '../../src/territory/municipality.entity';
import { State } from '../../src/territory/state.entity';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { seedRsRegions } from './fixtures';

/** Every column of a row as the GraphQL layer sees it: scalars, and to-one relations by id. */
function columnsOf(meta: EntityMetadata, row: object): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const prop of meta.props) {
    const value = (row as Record<string, unknown>)[prop.name];
    if (prop.kind === ReferenceKind.SCALAR) {
      values[prop.name] = value instanceof Date ? value.getTime() : value;
    } else if (prop.kind === ReferenceKind.MANY_TO_ONE) {
      values[prop.name] = (value as { id: number } | null)?.id ?? null;
    }
  }
  return values;
}

describe.skipIf(!databaseAvailable)('plain rows (readRows) against managed entities', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const em = t.app.orm.em.fork();
    await seedRsRegions(em);
    const portoAlegre = await em.findOneOrFail(Municipality, { ibgeCode: '4314902' });
    const person = em.create(Person, {
      code: 'rows-1',
      name: 'Dora Fictícia',
      nameSearch: 'dora ficticia',
      email: 'dora@example.org',
      demo: true,
    });
    em.create(Mandate, {
      person: ref(person),
      role: MandateRole.MUNICIPAL_SECRETARY,
      municipality: ref(portoAlegre),
      startDate: '2025-01-01',
      demo: true,
    });
    await em.flush();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['Municipality', Municipality, { state: { uf: 'RS' } }, ['state', 'healthRegion.macroregion']],
    ['HealthRegion', HealthRegion, {}, ['macroregion', 'state']],
    ['State', State, {}, []],
    ['Mandate', Mandate, {}, ['person']],
  ] as const)(
    '%s: every column and joined relation equals what em.find hydrates',
    async (_name, entity, where, populate) => {
      const em = t.app.orm.em.fork();
      const meta = em.getMetadata().get(entity.name);
      const orderBy = [{ id: 'asc' }] as never;
      const managed = await em.find(entity as never, where as never, {
        orderBy,
        populate: populate as never,
      });
      const plain = await readRows(em.fork(), entity as never, { where, orderBy, populate });
      expect(managed.length).toBeGreaterThan(0);
      expect(plain).toHaveLength(managed.length);
      for (const [index, row] of plain.entries()) {
        const entityRow = managed[index] as object;
        expect(isPlainRow(row)).toBe(true);
        expect(row).toBeInstanceOf(entity);
        expect((row as unknown as { globalId: string }).globalId).toBe(
          (entityRow as { globalId: string }).globalId,
        );
        expect(columnsOf(meta, row)).toEqual(columnsOf(meta, entityRow));
        for (const path of populate) {
          let a: unknown = row as unknown;
          let b: unknown = entityRow;
          let target = meta;
          for (const name of path.split('.')) {
            const refA = (a as Record<string, { isInitialized(): boolean; unwrap(): unknown }>)[
              name
            ];
            const refB = (b as Record<string, { unwrap(): unknown } | null>)[name];
            target = target.properties[name as never]!.targetMeta!;
            if (refB === null || refB === undefined) {
              expect(refA ?? null).toBeNull();
              break;
            }
            expect(refA.isInitialized()).toBe(true);
            a = refA.unwrap();
            b = refB.unwrap();
            expect(columnsOf(target, a as object)).toEqual(columnsOf(target, b as object));
          }
        }
      }
    },
  );

  it('skips unselected housekeeping columns only', async () => {
    const em = t.app.orm.em.fork();
    const [row] = await readRows(em, Municipality, {
      where: { ibgeCode: '4314902' },
      populate: ['state'],
      selected: new Map([
        ['', new Set(['name', 'updatedAt'])],
        ['state', new Set(['uf'])],
      ]),
    });
    expect(row!.name).toBe('Porto Alegre');
    const managed = await em.fork().findOneOrFail(Municipality, { ibgeCode: '4314902' });
    expect(row!.population).toBe(managed.population);
    expect(row!.updatedAt).toBeInstanceOf(Date);
    expect(row!.createdAt).toBeUndefined();
    const state = row!.state.unwrap()!;
    expect(state.uf).toBe('RS');
    expect(state.name).toBe('Rio Grande do Sul');
    expect(state.updatedAt).toBeUndefined();
  });

  it('loads a relation that was not joined through its reference', async () => {
    const em = t.app.orm.em.fork();
    const [row] = await readRows(em, Municipality, { where: { ibgeCode: '4314902' } });
    expect(row!.state.isInitialized()).toBe(false);
    expect((await row!.state.load())!.uf).toBe('RS');
  });

  it("reuses one statement per shape with each call's own values", async () => {
    const em = t.app.orm.em.fork();
    const codes = (
      await em.find(Municipality, { state: { uf: 'RS' } }, { orderBy: { id: 'asc' }, limit: 6 })
    ).map((municipality) => municipality.ibgeCode);
    expect(codes.length).toBeGreaterThan(3);
    const seen: string[] = [];
    const order = [...codes, ...[...codes].reverse(), '0000000'];
    for (const code of order) {
      const [row] = await readRows(em.fork(), Municipality, {
        where: { ibgeCode: code, deletedAt: null },
        limit: 1,
        populate: ['state'],
      });
      seen.push(row?.ibgeCode ?? 'none');
    }
    expect(seen).toEqual(order.map((code) => (code === '0000000' ? 'none' : code)));

    // Two values equal on the first call, different on the next: each must land in its place.
    const mandatesStarting = (from: string, to: string) =>
      readRows(em.fork(), Mandate, {
        where: { startDate: { $gte: from, $lte: to }, role: MandateRole.MUNICIPAL_SECRETARY },
        orderBy: [{ id: 'asc' }],
      });
    expect(await mandatesStarting('2025-01-01', '2025-01-01')).toHaveLength(1);
    expect(await mandatesStarting('2024-01-01', '2025-06-01')).toHaveLength(1);
    expect(await mandatesStarting('2025-06-01', '2026-01-01')).toHaveLength(0);
    expect(await mandatesStarting('2024-01-01', '2024-12-31')).toHaveLength(0);
  });
});
