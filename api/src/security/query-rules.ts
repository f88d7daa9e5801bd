import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import type { AppConfig } from '../config';
import type { GraphQLContext } from '../graphql/context';
import { pageSizeRule, unlessPageOversized } from '../graphql/page-size.rule';
import { checkDocument } from './document-guard';
import { findBadString } from './graphql-guards';

/**
 * The limits every GraphQL document answers to, wherever it comes from: a request to `/graphql`
 * (Apollo runs `validationRules` and `plugins`, the document guard ran before it) or a saved
 * query, checked when it is saved and again each time an export link runs it (`checkText`).
 */
export interface QueryRules {
  /** After graphql-js's own rules: the page size, then graphql-armor's depth, cost, aliases, directives. */
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<GraphQLContext>[];
  /**
   * The first reason `text` (with `variables`) would be refused on `/graphql`, or null: the
   * token limit of the parser, the document guard (string literals, depth, aliases, directives),
   * graphql-js validation with `validationRules` (cost and page size included), and the strings
   * of the variables.
   */
  checkText(schema: GraphQLSchema, text: string, variables?: unknown): string | null;
}

const cache = new WeakMap<AppConfig, QueryRules>();

/** The rules of `config`'s limits; one set per configuration. */
export function queryRules(config: AppConfig): QueryRules {
  let rules = cache.get(config);
  if (!rules) {
    rules = buildRules(config);
    cache.set(config, rules);
  }
  return rules;
}

function buildRules(config: AppConfig): QueryRules {
  const { limits } = config;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    costLimit: { maxCost: limits.maxCost },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // graphql-js counts tokens while parsing (Apollo's `parseOptions`), so a flood of tokens is a
    // 400 syntax error; armor's own token plugin throws outside the parser and becomes a 500.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: config.env === 'production' },
  });
  const protection = armor.protect();
  const validationRules = [
    pageSizeRule(limits.maxPageSize),
    ...protection.validationRules.map((rule) => unlessPageOversized(rule, limits.maxPageSize)),
  ];
  return {
    validationRules,
    plugins: protection.plugins as ApolloServerPlugin<GraphQLContext>[],
    checkText(schema, text, variables) {
      let document;
      try {
        document = parse(text, { maxTokens: limits.maxTokens });
      } catch (error) {
        return located(error);
      }
      const rejection = checkDocument(text, limits);
      if (rejection) {
        return rejection.message;
      }
      try {
        const problems = validate(schema, document, [...specifiedRules, ...validationRules]);
        if (problems.length > 0) {
          return located(problems[0]);
        }
      } catch (error) {
        // graphql-armor throws its refusals (cost, depth…) out of the visitor.
        return located(error);
      }
      const badString = findBadString(variables ?? {}, limits.maxStringLength);
      return badString ? `variable ${badString.at} ${badString.problem}` : null;
    },
  };
}

function located(error: unknown): string {
  if (!(error instanceof GraphQLError)) {
    throw error;
  }
  const where = error.locations?.[0];
  return `${where ? `line ${where.line}, column ${where.column}: ` : ''}${error.message}`;
}
