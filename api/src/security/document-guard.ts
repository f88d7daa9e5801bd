import type { Request, RequestHandler } from 'express';
import {
  GraphQLError,
  Kind,
  parse,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { AppConfig } from '../config';
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

/** What one operation (with the fragments it reaches) asks for. */
interface Shape {
  depth: number;
  aliases: number;
  directives: number;
}

/**
 * Measures a parsed document in one pass: for each operation, the deepest field nesting and the
 * aliases and directives of its selections and of every fragment it reaches, each fragment counted
 * once. graphql-armor (which still runs inside Apollo) follows fragments per spread and counts
 * fragment levels too, so these figures are never above armor's: whatever this guard refuses,
 * armor would have refused later, after Apollo's full validation.
 */
function measure(document: DocumentNode): Shape[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const fragmentDepth = new Map<string, number>();

  function depthOf(set: SelectionSetNode | undefined, visiting: Set<string>): number {
    let deepest = 0;
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        // Introspection has its own depth (the standard query nests `ofType` nine times).
        if (selection.name.value === '__schema' || selection.name.value === '__type') {
          continue;
        }
        deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, visiting));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A cycle or an unknown fragment is validation's to report; it adds no depth here.
        if (!fragment || visiting.has(name)) {
          continue;
        }
        let depth = fragmentDepth.get(name);
        if (depth === undefined) {
          visiting.add(name);
          depth = depthOf(fragment.selectionSet, visiting);
          visiting.delete(name);
          fragmentDepth.set(name, depth);
        }
        deepest = Math.max(deepest, depth);
      }
    }
    return deepest;
  }

  function countOnce(definition: DefinitionNode, reached: Set<string>, shape: Shape): void {
    const pending: SelectionSetNode[] = [];
    if ('selectionSet' in definition && definition.selectionSet) {
      pending.push(definition.selectionSet);
    }
    shape.directives += ('directives' in definition && definition.directives?.length) || 0;
    while (pending.length > 0) {
      for (const selection of pending.pop()!.selections) {
        shape.directives += selection.directives?.length ?? 0;
        if (selection.kind === Kind.FIELD) {
          shape.aliases += selection.alias ? 1 : 0;
          if (selection.selectionSet) {
            pending.push(selection.selectionSet);
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          pending.push(selection.selectionSet);
        } else if (!reached.has(selection.name.value)) {
          reached.add(selection.name.value);
          const fragment = fragments.get(selection.name.value);
          if (fragment) {
            countOnce(fragment, reached, shape);
          }
        }
      }
    }
  }

  const shapes: Shape[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const shape = {
        depth: depthOf(definition.selectionSet, new Set()),
        aliases: 0,
        directives: 0,
      };
      countOnce(definition, new Set(), shape);
      shapes.push(shape);
    }
  }
  return shapes;
}

/** The first string literal anywhere in the document that is too long or holds a NUL. */
function badStringLiteral(document: DocumentNode, max: number): string | null {
  // An explicit stack: a deeply nested input object must not overflow the call stack.
  const pending: unknown[] = [document];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...(node as unknown[]));
    } else if (node !== null && typeof node === 'object') {
      if ((node as ValueNode).kind === Kind.STRING) {
        const problem = stringProblem((node as { value: string }).value, max);
        if (problem) {
          return problem;
        }
        continue;
      }
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'loc' && value !== null && typeof value === 'object') {
          pending.push(value);
        }
      }
    }
  }
  return null;
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
