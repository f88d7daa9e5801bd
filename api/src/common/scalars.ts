import { GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { LocalDateResolver } from 'graphql-scalars';
import { BadUserInputError } from '../graphql/errors';

/** Why `value` is not a `YYYY-MM-DD` day, with the day it likely means when that is clear. */
function badDateMessage(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : String(value);
  const brazilian = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (brazilian) {
    const iso = `${brazilian[3]}-${brazilian[2]!.padStart(2, '0')}-${brazilian[1]!.padStart(2, '0')}`;
    return `"${text}" is not a date as YYYY-MM-DD; read as dd/mm/yyyy it is ${iso}`;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    return `"${text}" is not a calendar day (expected YYYY-MM-DD, e.g. 2024-06-01)`;
  }
  return `"${text.slice(0, 40)}" is not a date: expected YYYY-MM-DD, e.g. 2024-06-01`;
}

/** Runs the parser; its error becomes one that says which format is expected. */
function explained<T>(parse: () => T, value: unknown): T {
  try {
    return parse();
  } catch {
    throw new BadUserInputError(badDateMessage(value));
  }
}

/**
 * A calendar day as `YYYY-MM-DD`; stored as the same text so it sorts and compares on both
 * databases. graphql-scalars' `LocalDate`, with errors that say what is expected
 * ("01/06/2024" → "read as dd/mm/yyyy it is 2024-06-01") instead of "not a valid LocalDate".
 */
export const LocalDate = new GraphQLScalarType({
  ...LocalDateResolver.toConfig(),
  parseValue: (value) => explained(() => LocalDateResolver.parseValue(value), value),
  parseLiteral: (node: ValueNode, variables) =>
    explained(
      () => LocalDateResolver.parseLiteral(node, variables),
      node.kind === Kind.STRING ? node.value : print(node),
    ),
});
