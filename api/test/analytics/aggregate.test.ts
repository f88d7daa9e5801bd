import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventWhere } from '../../src/activity/activity.input';
import { Event } from '../../src/activity/event.entity';
import {
  type AggregateGroup,
  type Dimension,
  knexOf,
  runSql,
  sortByRank,
} from '../../src/analytics/aggregate';
import { eventDimensions } from '../../src/analytics/dimensions';
import { eventSource, filteredTable } from '../../src/analytics/sources';
import type { Em } from '../../src/db/orm';
import { Mandate } from '../../src/people/mandate.entity';
import { MandateRole } from '../../src/people/people.enums';
import { createTestApp, databaseAvailable, type TestApp } from '../helpers';
import { seedAnalyticsFixture } from './fixtures';

/** How an aggregate reads its rows and shapes its answer, beyond the numbers `stats.test.ts` checks. */
describe.skipIf(!databaseAvailable)('aggregates', () => {
  let t: TestApp;
  let em: Em;
  beforeAll(async () => {
    t = await createTestApp();
    await seedAnalyticsFixture(t.app.orm.em.fork());
    em = t.app.orm.em.fork();
  });
  afterAll(async () => {
    await t?.close();
  });

  const countOf = async (source: ReturnType<typeof eventSource>) => {
    const [row] = await runSql<{ n: unknown }>(
      em,
      source.clone().select(knexOf(em).raw('count(*) as n')),
    );
    return Number(row!.n);
  };

  describe('sources', () => {
    it('filter events on their own columns and to-one relations in one pass over the table', async () => {
      for (const filter of [
        null,
        { uf: ['RS'] },
        { healthRegionCode: ['43001'], from: '2024-01-01' },
      ]) {
        const source = eventSource(em, filter);
        expect(source.toQuery()).not.toMatch(/ in \(select/i);
        expect(await countOf(source)).toBe(await em.count(Event, eventWhere(filter)));
      }
    });

    it('keep a filter through a to-many relation in a subquery, so no row counts twice', async () => {
      // Ana's mandate covers 43001 and 43002, Bruno's 43001: two mandates, three pairs.
      const where = {
        role: MandateRole.APOIADOR,
        healthRegions: { code: { $in: ['43001', '43002'] } },
      };
      const source = filteredTable(em, Mandate, 'x', where);
      expect(source.toQuery()).toMatch(/ in \(select/i);
      expect(await countOf(source)).toBe(2);
    });
  });

  describe('answers', () => {
    it('put a group into words only when `label` is selected', async () => {
      const label = vi.spyOn(eventDimensions.MONTH, 'label');
      try {
        const unlabelled = await t.gql(`{ eventStats(groupBy: [MONTH]) { rows { month count } } }`);
        expect(unlabelled.errors).toBeUndefined();
        expect(label).not.toHaveBeenCalled();

        const labelled = await t.gql<{ eventStats: { rows: { label: string }[] } }>(
          `{ eventStats(groupBy: [MONTH]) { rows { label } } }`,
        );
        expect(labelled.data!.eventStats.rows.map((row) => row.label)).toEqual([
          '2023-11',
          '2024-03',
          '2024-04',
        ]);
        expect(label).toHaveBeenCalledTimes(3);
      } finally {
        label.mockRestore();
      }
    });

    it('give the same groups as rows and as groups with a key', async () => {
      const result = await t.gql<{
        eventStats: {
          groups: { key: { label: string; month: string }; count: number; share: number }[];
          rows: { label: string; month: string; count: number; share: number }[];
        };
      }>(
        `{ eventStats(groupBy: [MONTH]) { groups { key { label month } count share } rows { label month count share } } }`,
      );
      expect(result.errors).toBeUndefined();
      const { groups, rows } = result.data!.eventStats;
      expect(groups.map(({ key, ...numbers }) => ({ ...key, ...numbers }))).toEqual(rows);
      expect(rows.map((row) => row.count)).toEqual([1, 4, 2]);
    });
  });
});

describe('sortByRank', () => {
  const text = (field: string): Dimension => ({
    columns: [],
    label: (key) => String(key[field]),
    rank: (key) => (key[field] == null ? null : String(key[field])),
  });
  /** The order by definition: ranks compared one dimension after another, null last, ties kept. */
  const reference = (groups: AggregateGroup[], dimensions: Dimension[]) =>
    [...groups].sort((a, b) => {
      for (const dimension of dimensions) {
        const [left, right] = [dimension.rank(a), dimension.rank(b)];
        if (left !== right) {
          return left === null ? 1 : right === null ? -1 : left < right ? -1 : 1;
        }
      }
      return 0;
    });
  const groupsOf = (count: number, spread: number) =>
    Array.from({ length: count }, (_, index) => {
      const pick = (salt: number) => ((index * 7919 + salt) * 104729) % spread;
      return {
        id: index,
        a: pick(1) === 0 ? null : `a${pick(1)}`,
        b: `b${pick(2) % 5}`,
        c: `c${pick(3)}`,
      } as unknown as AggregateGroup;
    });

  it('orders by each dimension in turn, null last, keeping ties in their order', () => {
    const groups = groupsOf(2_000, 97);
    const dimensions = [text('a'), text('b')];
    expect(sortByRank(groups, dimensions)).toEqual(reference(groups, dimensions));
  });

  it('orders the same when the combinations are too many to pack into one number', () => {
    const groups = groupsOf(3_000, 2_999);
    const dimensions = [text('c'), text('a'), text('c'), text('a'), text('b')];
    expect(sortByRank(groups, dimensions)).toEqual(reference(groups, dimensions));
  });
});
