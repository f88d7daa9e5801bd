import { QueryOrder, type QueryOrderMap } from '@mikro-orm/core';
import { registerEnumType } from 'type-graphql';

/** The values of an order enum over fields `F`: `FIELD_ASC` and `FIELD_DESC` for each. */
export type OrderValue<F extends string> = `${F}_ASC` | `${F}_DESC`;

/** The type of an enum object's values: `type XOrder = EnumValue<typeof XOrder>`. */
export type EnumValue<E> = E[keyof E];

/** A property of `T`, or a path through its to-one relations (`state.uf`). */
type OrderPath<T> = (keyof T & string) | `${keyof T & string}.${string}`;

/**
 * Declares a GraphQL order enum of entity `T` once: `FIELD_ASC`/`FIELD_DESC` for each field of
 * `paths`, in its order, registered as `name`; and the function turning a list of its values into
 * ORM order maps (`fallback` when the list is empty), ending with the primary key so pages never
 * overlap. Nulls sort last in both directions on both databases. An enum shared by several
 * entities (`RegionOrder`) names properties they all have; its function takes the one to order.
 */
export const orderEnum =
  <T>() =>
  <F extends string>(
    name: string,
    paths: Record<F, OrderPath<T>>,
    fallback: NoInfer<OrderValue<F>>,
    description?: string,
  ) => {
    const values = Object.fromEntries(
      Object.keys(paths).flatMap((field) => [`${field}_ASC`, `${field}_DESC`].map((v) => [v, v])),
    ) as { [V in OrderValue<F>]: V };
    registerEnumType(values, { name, description });
    const order = <U extends T = T>(
      chosen: readonly OrderValue<F>[] | null | undefined,
    ): QueryOrderMap<U>[] => [
      ...(chosen?.length ? chosen : [fallback]).map((value) => {
        const direction = value.endsWith('_DESC')
          ? QueryOrder.DESC_NULLS_LAST
          : QueryOrder.ASC_NULLS_LAST;
        const path: string = paths[value.slice(0, value.lastIndexOf('_')) as F];
        // `state.uf` → { state: { uf: direction } }
        return path
          .split('.')
          .reduceRight<unknown>((inner, key) => ({ [key]: inner }), direction) as QueryOrderMap<U>;
      }),
      { id: QueryOrder.ASC } as QueryOrderMap<U>,
    ];
    return [values, order] as const;
  };
