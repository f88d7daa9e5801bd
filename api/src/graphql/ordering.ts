import { QueryOrder, type QueryOrderMap } from '@mikro-orm/core';

/**
 * Turns a list of `FIELD_ASC`/`FIELD_DESC` enum values into ORM order maps, ending with the
 * primary key so pages never overlap. Nulls sort last in both directions on both databases.
 */
export function orderFrom<T, O extends string>(
  values: readonly O[] | null | undefined,
  mapping: Record<O, (direction: QueryOrder) => QueryOrderMap<T>>,
  fallback: readonly O[],
): QueryOrderMap<T>[] {
  const chosen = values && values.length > 0 ? values : fallback;
  const orders = chosen.map((value) => {
    const direction = value.endsWith('_DESC')
      ? QueryOrder.DESC_NULLS_LAST
      : QueryOrder.ASC_NULLS_LAST;
    return mapping[value](direction);
  });
  return [...orders, { id: QueryOrder.ASC } as QueryOrderMap<T>];
}
