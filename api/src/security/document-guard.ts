import type { Request, RequestHandler } from 'express';
import { GraphQLError, Kind, parse, visit, type DocumentNode, type FieldNode } from 'graphql';
import type { AppConfig } from '../config';
import {
  depthsOf,
  fieldsOf,
  fragmentsOf,
  subSelections,
  type FieldWalk,
} from '../graphql/document-fields';
import { ErrorCode } from '../graphql/errors';
import { stringProblem } from './graphql-guards';
import { sendHttpError } from './http-errors';

type Limits = Pick<
  AppConfig['limits'],
  'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxTokens' | 'maxStringLength'
>;

/** Why a document was refused before Apollo saw it. */
export interface DocumentRejection {
  status: number;
  code: ErrorCode;
  message: string;
}

/** Introspection has its own depth (the standard query nests `ofType` nine times). */
const isIntrospection = (field: FieldNode): boolean =>
  field.name.value === '__schema' || field.name.value === '__type';

/**
 * Measures a parsed document: for each operation, the deepest field nesting and the aliases and
 * directives of its selections and of every fragment it reaches, each fragment counted once (a
 * cycle or an unknown fragment is validation's to report; it adds nothing here). graphql-armor
 * (which still runs inside Apollo) follows fragments per spread and counts fragment levels too,
 * so these figures are never above armor's: whatever this guard refuses, armor would have
 * refused later, after Apollo's full validation.
 */
function measure(document: DocumentNode) {
  const fragments = fragmentsOf(document);
  const operations = document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION ? [definition] : [],
  );
  const depths = depthsOf(
    operations.map((operation) => operation.selectionSet),
    fragments,
    isIntrospection,
  );
  return operations.map((operation, index) => {
    const shape = {
      depth: depths[index]!,
      aliases: 0,
      directives: operation.directives?.length ?? 0,
    };
    const reached = new Set<string>();
    const walk: FieldWalk = {
      follows: (name) => reached.size < reached.add(name).size, // true at its first spread only
      directive(node) {
        shape.directives += node.directives?.length ?? 0;
      },
    };
    // Level by level, so nesting never deepens the call stack.
    for (let sets = [operation.selectionSet]; sets.length > 0;) {
      const fields = fieldsOf(sets, fragments, walk);
      shape.aliases += fields.filter((field) => field.alias).length;
      sets = subSelections(fields);
    }
    return shape;
  });
}

/**
 * The last string literal in the document (the one the guard has always named) that is too long
 * or holds a NUL. graphql-js's `visit` keeps its own stack, so deep input objects are safe.
 */
function badStringLiteral(document: DocumentNode, max: number): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node) {
      found = stringProblem(node.value, max) ?? found;
    },
  });
  return found;
}

/**
 * Checks a document against the limits, or returns null when it passes or cannot be parsed (a
 * syntax error, including too many tokens, is left to Apollo, which parses with the same
 * `maxTokens` and answers it in the negotiated GraphQL-over-HTTP shape).
 */
export function checkDocument(text: string, limits: Limits): DocumentRejection | null {
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError) {
      return null;
    }
    throw error;
  }
  const refuse = (message: string): DocumentRejection => ({
    status: 400,
    code: ErrorCode.BadUserInput,
    message,
  });
  const literal = badStringLiteral(document, limits.maxStringLength);
  if (literal) {
    return refuse(`A string literal ${literal}`);
  }
  for (const shape of measure(document)) {
    if (shape.depth > limits.maxDepth) {
      return refuse(
        `Query depth limit of ${limits.maxDepth} exceeded, found ${shape.depth} (MAX_DEPTH)`,
      );
    }
    if (shape.aliases > limits.maxAliases) {
      return refuse(
        `Aliases limit of ${limits.maxAliases} exceeded, found ${shape.aliases} (MAX_ALIASES)`,
      );
    }
    if (shape.directives > limits.maxDirectives) {
      return refuse(
        `Directives limit of ${limits.maxDirectives} exceeded, found ${shape.directives} (MAX_DIRECTIVES)`,
      );
    }
  }
  return null;
}

/** A small least-recently-used set: `Map` keeps insertion order, so the first key is the oldest. */
class RecentSet {
  private readonly entries = new Map<string, true>();
  constructor(private readonly capacity: number) {}
  has(key: string): boolean {
    if (!this.entries.delete(key)) {
      return false;
    }
    this.entries.set(key, true);
    return true;
  }
  add(key: string): void {
    this.entries.set(key, true);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}

/** Documents longer than this are checked every time rather than kept in the cache. */
const CACHEABLE_LENGTH = 8 * 1024;

function documentText(req: Request): unknown {
  if (req.method === 'GET') {
    return req.query.query;
  }
  return (req.body as { query?: unknown } | undefined)?.query;
}

/**
 * Refuses hostile documents before Apollo parses and validates them: graphql-armor's rules run
 * only after a full parse and every standard validation rule, which took over 100 ms for a depth of
 * 1,000. One bounded parse and one walk here answer in a few milliseconds. Batched bodies are
 * refused before anything else. Documents that passed are remembered (by text), so a client's
 * repeated queries are not parsed twice.
 */
export function documentGuard(limits: Limits): RequestHandler {
  const passed = new RecentSet(500);
  return (req, res, next) => {
    if (Array.isArray(req.body)) {
      sendHttpError(
        res,
        400,
        ErrorCode.BadRequest,
        `Batched requests are not accepted (this body holds ${req.body.length} operations); send one operation per request`,
      );
      return;
    }
    const text = documentText(req);
    if (typeof text !== 'string' || passed.has(text)) {
      next();
      return;
    }
    const rejection = checkDocument(text, limits);
    if (rejection) {
      sendHttpError(res, rejection.status, rejection.code, rejection.message);
      return;
    }
    if (text.length <= CACHEABLE_LENGTH) {
      passed.add(text);
    }
    next();
  };
}
