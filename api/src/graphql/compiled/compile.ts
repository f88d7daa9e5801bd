import { type EntityMetadata, type MetadataStorage } from '@mikro-orm/core';
import {
  GraphQLObjectType,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { MandateRole } from '../../people/people.enums';
import { fieldsByKey, fragmentsOf, subSelections, type Fragments } from '../document-fields';
import {
  connectionCatalog,
  dataCatalog,
  lookupCatalog,
  type ConnectionEntry,
  type DataEntry,
  type LookupEntry,
  type ObjectCatalog,
} from './catalog';
import { NotCompilable, columnOf } from './where-sql';

/**
 * A read-only document turned into a plan that one SQL statement answers, JSON included. Plans
 * depend on the document only; arguments are read per request (`statement.ts`).
 */
export interface CompiledOperation {
  operation: OperationDefinitionNode;
  roots: RootPlan[];
}

export type RootPlan =
  | { kind: 'constant'; key: string; json: string }
  | {
      kind: 'data';
      key: string;
      entry: DataEntry;
      field: GraphQLField<unknown, unknown>;
      node: FieldNode;
      write: Writer;
    }
  | {
      kind: 'lookup';
      key: string;
      entry: LookupEntry;
      field: GraphQLField<unknown, unknown>;
      node: FieldNode;
      object: ObjectPlan;
    }
  | {
      kind: 'connection';
      key: string;
      entry: ConnectionEntry;
      field: GraphQLField<unknown, unknown>;
      node: FieldNode;
      meta: EntityMetadata;
      parts: ConnectionPart[];
    };

export type ConnectionPart =
  | { kind: 'constant'; key: string; json: string }
  | { kind: 'totalCount'; key: string }
  | { kind: 'pageInfo'; key: string; parts: PageInfoPart[] }
  | { kind: 'nodes'; key: string; object: ObjectPlan };

export type PageInfoPart =
  | { kind: 'constant'; key: string; json: string }
  | { kind: 'hasNextPage' | 'hasPreviousPage' | 'startCursor' | 'endCursor'; key: string };

export interface ObjectPlan {
  meta: EntityMetadata;
  fields: FieldPlan[];
}

export type FieldPlan =
  | { kind: 'typename'; key: string; typeName: string }
  | { kind: 'column'; key: string; column: string; boolean: boolean }
  | { kind: 'toOne'; key: string; column: string; target: EntityMetadata; object: ObjectPlan }
  | {
      kind: 'inForce';
      key: string;
      role: MandateRole;
      field: GraphQLField<unknown, unknown>;
      node: FieldNode;
      object: ObjectPlan;
    };

/** What compiling reads: the schema, the entities and the catalogue derived from both. */
export interface CompileSource {
  schema: GraphQLSchema;
  metadata: MetadataStorage;
  catalog: ObjectCatalog;
}

interface CompileContext extends CompileSource {
  fragments: Fragments;
}

const pageInfoFields = new Set(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']);

/**
 * The plan of `operation`, or the reason it cannot have one (the request then runs through the
 * resolvers, which answer everything). Only queries of catalogued fields compile; directives,
 * introspection and anything per-viewer do not.
 */
export function compileOperation(
  source: CompileSource,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): CompiledOperation | { notCompilable: string } {
  if (operation.operation !== 'query') {
    return { notCompilable: `a ${operation.operation}` };
  }
  const context: CompileContext = { ...source, fragments: fragmentsOf(document) };
  try {
    const queryType = source.schema.getQueryType()!;
    const roots = [...collect(context, queryType, [operation.selectionSet])].map(
      ([key, nodes]): RootPlan => {
        const name = nodes[0]!.name.value;
        if (name === '__typename') {
          return { kind: 'constant', key, json: JSON.stringify(queryType.name) };
        }
        const field = queryType.getFields()[name];
        const lookup = lookupCatalog[name];
        const connection = connectionCatalog[name];
        const data = dataCatalog[name];
        if (!field || (!lookup && !connection && !data)) {
          throw new NotCompilable(`Query.${name}`);
        }
        if (data) {
          const write = writer(context, field.type, nodes);
          return { kind: 'data', key, entry: data, field, node: nodes[0]!, write };
        }
        if (lookup) {
          return {
            kind: 'lookup',
            key,
            entry: lookup,
            field,
            node: nodes[0]!,
            object: objectPlan(context, lookup.type, nodes),
          };
        }
        return connectionPlan(context, key, connection!, field, nodes);
      },
    );
    if (
      roots.some((root) => root.kind === 'data') &&
      roots.some((root) => root.kind !== 'data' && root.kind !== 'constant')
    ) {
      throw new NotCompilable('plain data beside rows read by SQL');
    }
    return { operation, roots };
  } catch (error) {
    if (error instanceof NotCompilable) {
      return { notCompilable: error.message };
    }
    throw error;
  }
}

/** The fields of `selectionSets` that apply to `type`, by response key; directives are refused. */
function collect(
  context: CompileContext,
  type: GraphQLObjectType,
  selectionSets: readonly SelectionSetNode[],
): Map<string, FieldNode[]> {
  return fieldsByKey(selectionSets, context.fragments, {
    applies: (condition) => appliesTo(context.schema, context.schema.getType(condition), type),
    directive: () => {
      throw new NotCompilable('a directive');
    },
    unknownFragment: () => {
      throw new NotCompilable('an unknown fragment');
    },
  });
}

function appliesTo(
  schema: GraphQLSchema,
  condition: GraphQLNamedType | undefined,
  type: GraphQLObjectType,
): boolean {
  if (!condition) {
    return false;
  }
  return condition === type || (isAbstractType(condition) && schema.isSubType(condition, type));
}

function objectType(context: CompileContext, name: string): GraphQLObjectType {
  const type = context.schema.getType(name);
  if (!(type instanceof GraphQLObjectType)) {
    throw new NotCompilable(`${name} is not an object type`);
  }
  return type;
}

function withoutArguments(nodes: readonly FieldNode[], where: string): void {
  if (nodes.some((node) => node.arguments?.length)) {
    throw new NotCompilable(`${where} with arguments`);
  }
}

function objectPlan(
  context: CompileContext,
  typeName: string,
  nodes: readonly FieldNode[],
): ObjectPlan {
  const entry = context.catalog[typeName];
  if (!entry) {
    throw new NotCompilable(`type ${typeName}`);
  }
  const type = objectType(context, typeName);
  const meta = context.metadata.get(entry.entity);
  const fields = [...collect(context, type, subSelections(nodes))].map(
    ([key, fieldNodes]): FieldPlan => {
      const name = fieldNodes[0]!.name.value;
      if (name === '__typename') {
        return { kind: 'typename', key, typeName };
      }
      const field = type.getFields()[name];
      if (!field) {
        throw new NotCompilable(`${typeName}.${name}`);
      }
      const where = `${typeName}.${name}`;
      // The catalogue holds only columns that read back as the value and many-to-ones to
      // catalogued types (`objectCatalogOf`).
      if (entry.columns.includes(name)) {
        return {
          kind: 'column',
          key,
          column: columnOf(meta, name),
          boolean: getNamedType(field.type).name === 'Boolean',
        };
      }
      if (entry.toOne.includes(name)) {
        withoutArguments(fieldNodes, where);
        const target = context.metadata.get(meta.properties[name as never].type);
        return {
          kind: 'toOne',
          key,
          column: columnOf(meta, name),
          target,
          object: objectPlan(context, getNamedType(field.type).name, fieldNodes),
        };
      }
      const role = entry.inForce[name];
      if (role && fieldNodes.every((node) => isOnlyArgument(node, 'asOf'))) {
        return {
          kind: 'inForce',
          key,
          role,
          field,
          node: fieldNodes[0]!,
          object: objectPlan(context, getNamedType(field.type).name, fieldNodes),
        };
      }
      throw new NotCompilable(where);
    },
  );
  return { meta, fields };
}

function isOnlyArgument(node: FieldNode, name: string): boolean {
  return (node.arguments ?? []).every((argument) => argument.name.value === name);
}

function connectionPlan(
  context: CompileContext,
  key: string,
  entry: ConnectionEntry,
  field: GraphQLField<unknown, unknown>,
  nodes: FieldNode[],
): RootPlan {
  const connectionType = getNamedType(field.type) as GraphQLObjectType;
  const parts = [...collect(context, connectionType, subSelections(nodes))].map(
    ([partKey, partNodes]): ConnectionPart => {
      const name = partNodes[0]!.name.value;
      switch (name) {
        case '__typename':
          return { kind: 'constant', key: partKey, json: JSON.stringify(connectionType.name) };
        case 'totalCount':
          return { kind: 'totalCount', key: partKey };
        case 'nodes':
          return {
            kind: 'nodes',
            key: partKey,
            object: objectPlan(context, entry.type, partNodes),
          };
        case 'pageInfo':
          return { kind: 'pageInfo', key: partKey, parts: pageInfoPlan(context, partNodes) };
        default:
          // `edges` carries one cursor per row, which SQL on both databases cannot encode alike.
          throw new NotCompilable(`${connectionType.name}.${name}`);
      }
    },
  );
  return {
    kind: 'connection',
    key,
    entry,
    field,
    node: nodes[0]!,
    meta: context.metadata.get(context.catalog[entry.type]!.entity),
    parts,
  };
}

function pageInfoPlan(context: CompileContext, nodes: FieldNode[]): PageInfoPart[] {
  const type = objectType(context, 'PageInfo');
  return [...collect(context, type, subSelections(nodes))].map(([key, fieldNodes]) => {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') {
      return { kind: 'constant', key, json: JSON.stringify(type.name) };
    }
    if (!pageInfoFields.has(name)) {
      throw new NotCompilable(`PageInfo.${name}`);
    }
    return { kind: name as 'hasNextPage', key };
  });
}

/** Writes one value of a GraphQL type as JSON; throws `NotCompilable` where graphql-js would differ. */
export type Writer = (value: unknown) => string;

/**
 * A JSON writer for plain data under `type`: what graphql-js produces for objects whose fields
 * use the default resolver (a property or getter of the same name) and leaves serialised by
 * their type. Fields with a resolver or arguments do not compile; a null in a non-null position
 * or a function where a value belongs throws at write time, and the request goes to Apollo.
 */
function writer(
  context: CompileContext,
  type: GraphQLOutputType,
  nodes: readonly FieldNode[],
): Writer {
  if (isNonNullType(type)) {
    const inner = writer(context, type.ofType, nodes);
    return (value) => {
      if (value === null || value === undefined) {
        throw new NotCompilable('null in a non-null position');
      }
      return inner(value);
    };
  }
  if (isListType(type)) {
    const item = writer(context, type.ofType, nodes);
    return (value) => {
      if (value === null || value === undefined) {
        return 'null';
      }
      if (!Array.isArray(value)) {
        throw new NotCompilable('a list that is not an array');
      }
      return `[${value.map(item).join(',')}]`;
    };
  }
  if (isLeafType(type)) {
    return (value) => {
      if (value === null || value === undefined) {
        return 'null';
      }
      if (typeof value === 'function') {
        throw new NotCompilable('a function where a value belongs');
      }
      const serialized = type.serialize(value) as unknown;
      return serialized === undefined ? 'null' : JSON.stringify(serialized);
    };
  }
  if (!(type instanceof GraphQLObjectType)) {
    throw new NotCompilable(`abstract type ${type.name}`);
  }
  const fields = [...collect(context, type, subSelections(nodes))].map(([key, fieldNodes]) => {
    const name = fieldNodes[0]!.name.value;
    const json = JSON.stringify(key);
    if (name === '__typename') {
      const typeName = JSON.stringify(type.name);
      return () => `${json}:${typeName}`;
    }
    const field = type.getFields()[name];
    if (!field || field.resolve !== undefined || field.args.length > 0) {
      throw new NotCompilable(`${type.name}.${name} has a resolver or arguments`);
    }
    const write = writer(context, field.type, fieldNodes);
    return (source: Record<string, unknown>) => `${json}:${write(source[name])}`;
  });
  return (value) => {
    if (value === null || value === undefined) {
      return 'null';
    }
    const source = value as Record<string, unknown>;
    return `{${fields.map((field) => field(source)).join(',')}}`;
  };
}
