import {
  Kind,
  parse,
  print,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  GraphQLError,
  valueFromASTUntyped,
} from 'graphql';
import { fieldsOf, fragmentsOf, responseKey, type Fragments } from '../graphql/document-fields';

/**
 * Turns any saved query into a table: the *first connection* of the document (the first field,
 * depth-first, whose selection has `edges` or `nodes`) becomes the rows, its node's leaf fields
 * the columns (`healthRegion.macroregion.name`). The query is rewritten so that connection can be
 * paged to the end (`after: $rhAfter`, `rhPageInfo: pageInfo { … }`) and its nodes report their
 * type (`rhType: __typename`, which decides whether the table can be written back).
 *
 * Pure and dependency-free apart from `graphql`: the API's CSV export and the Sheets add-on
 * (bundled for Apps Script) share it, so both produce the same columns for the same query.
 */
export interface PagedQuery {
  /** The rewritten document, ready to send with `{ ...variables, rhAfter, rhFirst }`. */
  text: string;
  /** Response keys (aliases or names) from `data` to the connection. */
  connectionPath: string[];
  /** Column paths in selection order, e.g. `["ibgeCode", "state.uf"]`. */
  columns: string[];
  /** The variables the author declared (not the paging ones). */
  variables: VariableDefinition[];
  operationName: string | null;
}

export interface VariableDefinition {
  name: string;
  /** The type as written, e.g. `[String!]!`. */
  type: string;
  /** The named type under lists and non-nulls, e.g. `String`. */
  namedType: string;
  required: boolean;
  list: boolean;
  defaultValue: unknown;
}

export interface Page {
  nodes: Record<string, unknown>[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** `__typename` of the nodes (null for an empty page). */
  typeName: string | null;
}

export type Cell = string | number | boolean | null;

/** A query the table machinery cannot use: the message says what to change. */
export class QueryShapeError extends Error {
  override name = 'QueryShapeError';
}

export const PAGE_INFO_KEY = 'rhPageInfo';
export const TYPE_KEY = 'rhType';
export const AFTER_VARIABLE = 'rhAfter';
export const FIRST_VARIABLE = 'rhFirst';

/** The one query operation of a document, with readable errors for everything else. */
export function singleQueryOperation(document: DocumentNode): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) {
    throw new QueryShapeError(
      `a saved query must hold exactly one operation (found ${operations.length})`,
    );
  }
  const operation = operations[0]!;
  if (operation.operation !== 'query') {
    throw new QueryShapeError(
      `a saved query must be a \`query\`, not a \`${operation.operation}\``,
    );
  }
  return operation;
}

export function parseQuery(source: string): DocumentNode {
  try {
    return parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) {
      const where = error.locations?.[0];
      throw new QueryShapeError(
        `${where ? `line ${where.line}, column ${where.column}: ` : ''}${error.message}`,
      );
    }
    throw error;
  }
}

function typeText(node: { kind: Kind; type?: unknown; name?: { value: string } }): {
  text: string;
  named: string;
  list: boolean;
} {
  if (node.kind === Kind.NON_NULL_TYPE) {
    const inner = typeText(node.type as never);
    return { ...inner, text: `${inner.text}!` };
  }
  if (node.kind === Kind.LIST_TYPE) {
    const inner = typeText(node.type as never);
    return { text: `[${inner.text}]`, named: inner.named, list: true };
  }
  return { text: node.name!.value, named: node.name!.value, list: false };
}

/** The variables a query declares: what the sidebar's form asks for. */
export function variableDefinitions(operation: OperationDefinitionNode): VariableDefinition[] {
  return (operation.variableDefinitions ?? []).map((definition) => {
    const type = typeText(definition.type);
    return {
      name: definition.variable.name.value,
      type: type.text,
      namedType: type.named,
      required: definition.type.kind === Kind.NON_NULL_TYPE && !definition.defaultValue,
      list: type.list,
      defaultValue: definition.defaultValue
        ? valueFromASTUntyped(definition.defaultValue)
        : undefined,
    };
  });
}

/** Fields of a selection set with fragments spread in, in document order. */
function fieldsIn(selectionSet: SelectionSetNode, fragments: Fragments): FieldNode[] {
  return fieldsOf(selectionSet, fragments, {
    unknownFragment: (name) => {
      throw new QueryShapeError(`fragment "${name}" is not defined`);
    },
  });
}

function isConnection(field: FieldNode, fragments: Fragments): boolean {
  return (
    field.selectionSet !== undefined &&
    fieldsIn(field.selectionSet, fragments).some(
      (child) => child.name.value === 'edges' || child.name.value === 'nodes',
    )
  );
}

function findConnection(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  path: string[],
): { field: FieldNode; path: string[] } | null {
  for (const field of fieldsIn(selectionSet, fragments)) {
    if (!field.selectionSet) {
      continue;
    }
    const here = [...path, responseKey(field)];
    if (isConnection(field, fragments)) {
      return { field, path: here };
    }
    const found = findConnection(field.selectionSet, fragments, here);
    if (found) {
      return found;
    }
  }
  return null;
}

/** The node selections of a connection: `nodes { … }` and `edges { node { … } }`. */
function nodeSelections(connection: FieldNode, fragments: Fragments): FieldNode[] {
  const result: FieldNode[] = [];
  for (const child of fieldsIn(connection.selectionSet!, fragments)) {
    if (child.name.value === 'nodes' && child.selectionSet) {
      result.push(child);
    }
    if (child.name.value === 'edges' && child.selectionSet) {
      for (const grandchild of fieldsIn(child.selectionSet, fragments)) {
        if (grandchild.name.value === 'node' && grandchild.selectionSet) {
          result.push(grandchild);
        }
      }
    }
  }
  return result;
}

function leafPaths(selectionSet: SelectionSetNode, fragments: Fragments, prefix: string): string[] {
  const paths: string[] = [];
  for (const field of fieldsIn(selectionSet, fragments)) {
    const key = responseKey(field);
    if (key === TYPE_KEY || field.name.value === '__typename') {
      continue;
    }
    const path = prefix ? `${prefix}.${key}` : key;
    if (field.selectionSet) {
      paths.push(...leafPaths(field.selectionSet, fragments, path));
    } else {
      paths.push(path);
    }
  }
  return paths;
}

const name = (value: string) => ({ kind: Kind.NAME, value }) as const;
const variable = (value: string) => ({ kind: Kind.VARIABLE, name: name(value) }) as const;

/**
 * Rewrites `source` so its first connection can be read page by page to the end; see
 * {@link PagedQuery}. Throws {@link QueryShapeError} for a query that is not a table.
 */
export function preparePagedQuery(source: string): PagedQuery {
  // A structural copy: the AST from `parse` is plain data, and the rewrite must not leak.
  const document = JSON.parse(JSON.stringify(parseQuery(source))) as DocumentNode;
  const operation = singleQueryOperation(document);
  const fragments = fragmentsOf(document);
  const variables = variableDefinitions(operation);
  for (const reserved of [AFTER_VARIABLE, FIRST_VARIABLE]) {
    if (variables.some((definition) => definition.name === reserved)) {
      throw new QueryShapeError(`the variable name $${reserved} is reserved for paging`);
    }
  }
  const found = findConnection(operation.selectionSet, fragments, []);
  if (!found) {
    throw new QueryShapeError(
      'the query has no connection to turn into rows: select a list field with `nodes { … }` or `edges { node { … } }`',
    );
  }
  const connection = found.field as { -readonly [K in keyof FieldNode]: FieldNode[K] };
  const nodes = nodeSelections(connection, fragments);
  if (nodes.length === 0) {
    throw new QueryShapeError(
      `the connection "${found.path.join('.')}" selects no node fields: add \`nodes { … }\``,
    );
  }
  const columns = leafPaths(nodes[0]!.selectionSet!, fragments, '');
  if (columns.length === 0) {
    throw new QueryShapeError(`the connection "${found.path.join('.')}" selects no columns`);
  }

  const args = (connection.arguments ?? []).filter((arg) => arg.name.value !== 'after');
  const pagedBackwards = args.some((arg) => arg.name.value === 'last');
  if (pagedBackwards) {
    throw new QueryShapeError('page the table forwards: use `first`, not `last`');
  }
  const hasFirst = args.some((arg) => arg.name.value === 'first');
  connection.arguments = [
    ...args,
    { kind: Kind.ARGUMENT, name: name('after'), value: variable(AFTER_VARIABLE) },
    ...(hasFirst
      ? []
      : [{ kind: Kind.ARGUMENT, name: name('first'), value: variable(FIRST_VARIABLE) } as const]),
  ];
  const field = (fieldName: string, alias?: string, selections?: unknown[]) => ({
    kind: Kind.FIELD,
    ...(alias ? { alias: name(alias) } : {}),
    name: name(fieldName),
    ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
  });
  (connection.selectionSet as unknown as { selections: unknown[] }).selections = [
    ...connection.selectionSet!.selections,
    field('pageInfo', PAGE_INFO_KEY, [field('hasNextPage'), field('endCursor')]),
  ];
  for (const node of nodes) {
    (node.selectionSet as unknown as { selections: unknown[] }).selections = [
      ...node.selectionSet!.selections,
      field('__typename', TYPE_KEY),
    ];
  }
  (operation as unknown as { variableDefinitions: unknown[] }).variableDefinitions = [
    ...(operation.variableDefinitions ?? []),
    {
      kind: Kind.VARIABLE_DEFINITION,
      variable: variable(AFTER_VARIABLE),
      type: { kind: Kind.NAMED_TYPE, name: name('String') },
    },
    // Declared only where used: an unused variable makes the document invalid (graphql-js's
    // NoUnusedVariables), and a query that sets its own `first` pages by it.
    ...(hasFirst
      ? []
      : [
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: variable(FIRST_VARIABLE),
            type: { kind: Kind.NAMED_TYPE, name: name('Int') },
          },
        ]),
  ];
  return {
    text: print(document),
    connectionPath: found.path,
    columns,
    variables,
    operationName: operation.name?.value ?? null,
  };
}

/** Reads one page of the connection out of a response's `data`. */
export function readPage(data: unknown, connectionPath: string[]): Page {
  let value: unknown = data;
  for (const key of connectionPath) {
    if (value === null || value === undefined) {
      break;
    }
    if (Array.isArray(value)) {
      throw new QueryShapeError(
        `"${connectionPath.join('.')}" sits inside a list; put the table's connection at the top of the query`,
      );
    }
    value = (value as Record<string, unknown>)[key];
  }
  if (value === null || value === undefined) {
    return { nodes: [], hasNextPage: false, endCursor: null, typeName: null };
  }
  const connection = value as {
    nodes?: Record<string, unknown>[];
    edges?: { node: Record<string, unknown> }[];
    [PAGE_INFO_KEY]?: { hasNextPage: boolean; endCursor: string | null };
  };
  const nodes = connection.nodes ?? (connection.edges ?? []).map((edge) => edge.node);
  const pageInfo = connection[PAGE_INFO_KEY] ?? { hasNextPage: false, endCursor: null };
  const typeName = (nodes[0]?.[TYPE_KEY] as string | undefined) ?? null;
  return { nodes, hasNextPage: pageInfo.hasNextPage, endCursor: pageInfo.endCursor, typeName };
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/** Follows a column path into a node; lists along the way are joined with "; ". */
function valueAt(value: unknown, path: readonly string[]): unknown {
  if (path.length === 0 || value === null || value === undefined) {
    return value;
  }
  if (Array.isArray(value)) {
    const parts = value
      .map((item) => valueAt(item, path))
      .filter((item) => item !== null && item !== undefined);
    return parts.map((item) => cellOf(item)).join('; ');
  }
  const next = (value as Record<string, unknown>)[path[0]!];
  return valueAt(next, path.slice(1));
}

/** One row of cells for a node, in the order of `columns`. */
export function flattenNode(node: Record<string, unknown>, columns: readonly string[]): Cell[] {
  return columns.map((column) => {
    const value = valueAt(node, column.split('.'));
    if (Array.isArray(value)) {
      return value.map(cellOf).join('; ');
    }
    return cellOf(value);
  });
}

/**
 * Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) get a leading `'`, so a value
 * from the hub can never become a formula in someone's sheet (CSV/formula injection).
 */
export function neutralizeFormula(cell: Cell): Cell {
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell)) {
    return `'${cell}`;
  }
  return cell;
}
