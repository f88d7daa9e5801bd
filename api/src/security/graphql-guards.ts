import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../graphql/errors';

/**
 * What is wrong with a string a client sent, if anything: longer than `MAX_STRING_LENGTH`, or
 * holding a NUL character, which no field of the graph allows, PostgreSQL refuses in text and
 * the SQLite driver cuts the statement at.
 */
export function stringProblem(value: string, max: number): string | null {
  if (value.length > max) {
    return `is ${value.length} characters long; the limit is ${max} (MAX_STRING_LENGTH)`;
  }
  if (value.includes('\u0000')) {
    return 'contains a NUL character (\\u0000), which no field accepts';
  }
  return null;
}

function invalidString(where: string, problem: string, status?: number): GraphQLError {
  return new GraphQLError(`${where} ${problem}`, {
    extensions: { code: ErrorCode.BadUserInput, ...(status ? { http: { status } } : {}) },
  });
}

/** The first string in a variables object that `stringProblem` refuses, with where it sits. */
export function findBadString(
  value: unknown,
  max: number,
  at = '',
  depth = 0,
): { at: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = stringProblem(value, max);
    return problem ? { at, problem } : null;
  }
  if (value === null || typeof value !== 'object' || depth > 64) {
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = findBadString(
      item,
      max,
      Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key,
      depth + 1,
    );
    if (found) {
      return found;
    }
  }
  return null;
}

/** The same checks for strings sent as variables, before the operation executes. */
export function variableStringPlugin<T extends object>(max: number): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          const found = findBadString(request.variables ?? {}, max);
          if (found) {
            throw invalidString(`Variable $${found.at}`, found.problem, 400);
          }
        },
      };
    },
  };
}
