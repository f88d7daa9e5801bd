import type { FilterQuery } from '@mikro-orm/core';
import type { GraphQLScalarType } from 'graphql';
import { Field, InputType } from 'type-graphql';
import { containsPattern } from '../common/text';

/** A MikroORM condition, as a filter field writes it. */
export type Condition = Record<string, unknown>;

/** The value a resolver receives for GraphQL type `G`: `String`, `Boolean`, a scalar, or an enum. */
export type ValueOf<G> = G extends StringConstructor
  ? string
  : G extends BooleanConstructor
    ? boolean
    : G extends GraphQLScalarType<infer V>
      ? V
      : G[keyof G];

/** One field of a filter input: its GraphQL type and description, and the condition it sets. */
export interface FilterField<V> {
  type: unknown;
  description?: string;
  /** The condition of a given value; none when the field is read by hand (see `personWhere`). */
  where?: (value: V) => Condition;
  separate?: boolean;
}

export interface FieldOptions {
  description?: string;
  /**
   * A term of its own in `$and` rather than merged into the filter's object: for conditions on a
   * relation another field also reads, or `$or`s.
   */
  separate?: boolean;
}

type Where<V> = ((value: V) => Condition) | FieldOptions;

function fieldOf<V>(type: unknown, where?: Where<V>, options?: FieldOptions): FilterField<V> {
  return typeof where === 'function' ? { type, where, ...options } : { type, ...where };
}

/** A field taking one value of `type` (`String`, `Boolean`, `Int`, `LocalDate`, an enum). */
export function field<G extends object>(
  type: G,
  where?: Where<ValueOf<G>>,
  options?: FieldOptions,
): FilterField<ValueOf<G>> {
  return fieldOf(type, where, options);
}

/** A field taking a list of values of `type`; a row matches any of them. */
export function list<G extends object>(
  type: G,
  where?: Where<ValueOf<G>[]>,
  options?: FieldOptions,
): FilterField<ValueOf<G>[]> {
  return fieldOf([type], where, options);
}

/** `nameContains`: names are searched through their folded `nameSearch` column. */
export const nameContains = field(
  String,
  (text) => ({ nameSearch: { $like: containsPattern(text) } }),
  {
    description: 'Name contains this text, ignoring case and accents.',
  },
);

type Fields = Record<string, FilterField<never>>;

/** The values of a filter input declared by `fields`; each may be left out or null. */
export type FilterOf<F extends Fields> = {
  [K in keyof F]?: (F[K] extends FilterField<infer V> ? V : never) | null;
};

export interface FilterOptions<F extends Fields> {
  description?: string;
  /** What every row must meet, before any field: by default it is not soft-deleted. */
  base?: Condition | ((filter: FilterOf<F> | null | undefined) => Condition);
  /** `'$and'`: each given field is a term of its own (`{ $and: [base, …] }`). */
  join?: '$and';
}

/** An object literal's kind of object: a condition or an operator map, not an array, date or entity. */
export function isPlainObject(candidate: unknown): candidate is Condition {
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    !Array.isArray(candidate) &&
    Object.getPrototypeOf(candidate) === Object.prototype
  );
}

/**
 * Declares a filter input of entity `T` once: each field, in order, with its GraphQL type, its
 * description and the condition a given value sets. Gives the registered input class (all fields
 * nullable) and the function turning a filter into the entity's `FilterQuery`: the base condition
 * with each given field's condition merged in (two operator maps on one property, as
 * `populationMin`/`populationMax`, become one), or `{ $and: [that, …separate ones] }`. A field
 * left out, null or an empty string is not given; an empty list is.
 */
export const filterInput =
  <T>() =>
  <F extends Fields>(name: string, fields: F, options: FilterOptions<F> = {}) => {
    const Input = { [name]: class {} }[name]!;
    for (const [key, declared] of Object.entries(fields)) {
      Field(() => declared.type as never, { nullable: true, description: declared.description })(
        Input.prototype,
        key,
      );
    }
    InputType(name, { description: options.description })(Input);
    const { base = { deletedAt: null }, join } = options;

    const where = (filter: FilterOf<F> | null | undefined): FilterQuery<T> => {
      const merged: Condition = { ...(typeof base === 'function' ? base(filter) : base) };
      const separate: Condition[] = [];
      for (const [key, declared] of Object.entries(fields)) {
        const value = (filter as Condition | null | undefined)?.[key];
        if (!declared.where || value === undefined || value === null || value === '') {
          continue;
        }
        const condition = declared.where(value as never);
        if (join === '$and' || declared.separate) {
          separate.push(condition);
          continue;
        }
        for (const [property, term] of Object.entries(condition)) {
          const before = merged[property];
          merged[property] =
            isPlainObject(before) && isPlainObject(term) ? { ...before, ...term } : term;
        }
      }
      return (separate.length > 0 ? { $and: [merged, ...separate] } : merged) as FilterQuery<T>;
    };
    return [Input as new () => FilterOf<F>, where] as const;
  };
