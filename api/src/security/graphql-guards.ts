import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type ValidationRule } from 'graphql';
import { ErrorCode } from '../graphql/errors';

function tooLong(where: string, length: number, max: number, status?: number): GraphQLError {
  return new GraphQLError(
    `${where} is ${length} characters long; the limit is ${max} (MAX_STRING_LENGTH)`,
    {
      extensions: {
        code: ErrorCode.BadUserInput,
        maxStringLength: max,
        ...(status ? { http: { status } } : {}),
      },
    },
  );
}

/**
 * Rejects string literals longer than `max` in the document itself, before anything runs; the
 * body limit alone would let a 1 MB search pattern reach the database.
 */
export function maxStringLiteralRule(max: number): ValidationRule {
  return (context) => ({
    [Kind.STRING](node) {
      if (node.value.length > max) {
        context.reportError(tooLong('A string literal', node.value.length, max));
      }
    },
  });
}

function longestString(value: unknown, depth = 0): { path: string; length: number } | null {
  if (typeof value === 'string') {
    return { path: '', length: value.length };
  }
  if (value === null || typeof value !== 'object' || depth > 64) {
    return null;
  }
  let worst: { path: string; length: number } | null = null;
  for (const [key, item] of Object.entries(value)) {
    const found = longestString(item, depth + 1);
    if (found && (!worst || found.length > worst.length)) {
      worst = {
        path: Array.isArray(value) ? `[${key}]${found.path}` : `.${key}${found.path}`,
        length: found.length,
      };
    }
  }
  return worst;
}

/** The same limit for strings sent as variables, checked before the operation executes. */
export function maxVariableStringPlugin<T extends object>(max: number): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          const found = longestString(request.variables ?? {});
          if (found && found.length > max) {
            throw tooLong(`Variable $${found.path.replace(/^\./, '')}`, found.length, max, 400);
          }
        },
      };
    },
  };
}
