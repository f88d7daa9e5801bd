import { type Cell } from '../../api/src/saved-queries/query-paging';
import { type GraphQLClient } from './graphql-client';
import { enumLabel, fieldLabel } from './labels';

/**
 * What a table's columns hold, learned once from the schema when the table is inserted: the
 * Portuguese header, and the kind that decides how a cell is written (text columns are plain
 * text, `@`, so "0012" and "3-4" stay what the server sent) and read back (enum labels map back
 * to values).
 */
export type ColumnKind = 'text' | 'number' | 'boolean' | 'enum';

export interface TableColumn {
  /** Response path in the query, e.g. `healthRegion.code`. */
  path: string;
  header: string;
  kind: ColumnKind;
  /** The GraphQL enum of an `enum` column (its labels come from the label map). */
  enumType: string | null;
  /** Bookkeeping columns the user needs not see (`version`, `id`). */
  hidden: boolean;
}

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

interface IntrospectedType {
  name: string;
  kind: string;
  fields: { name: string; type: TypeRef }[] | null;
}

const HIDDEN_PATHS = ['version', 'id'];
const NUMBER_SCALARS = ['Int', 'Float'];

function named(type: TypeRef): { kind: string; name: string; list: boolean } {
  let current: TypeRef | null = type;
  let list = false;
  while (current && !current.name) {
    list ||= current.kind === 'LIST';
    current = current.ofType;
  }
  return { kind: current?.kind ?? 'SCALAR', name: current?.name ?? 'String', list };
}

function typesQuery(names: readonly string[]): string {
  const parts = names.map((name, index) => {
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) {
      throw new Error(`not a type name: ${name}`);
    }
    return `t${index}: __type(name: "${name}") { name kind fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }`;
  });
  return `query RedeDescribeColumns { ${parts.join(' ')} }`;
}

function inferredKind(sample: readonly (readonly Cell[])[], index: number): ColumnKind {
  const values = sample.map((row) => row[index]).filter((cell) => cell !== null && cell !== '');
  if (values.length > 0 && values.every((cell) => typeof cell === 'number')) {
    return 'number';
  }
  if (values.length > 0 && values.every((cell) => typeof cell === 'boolean')) {
    return 'boolean';
  }
  return 'text';
}

/**
 * Describes `paths` of nodes of `nodeType`: one introspection request per level of nesting
 * (all the types of a level in one document). Paths through aliases the schema does not know
 * keep their own names and take their kind from the first page's values.
 */
export function describeColumns(
  graphql: GraphQLClient,
  nodeType: string | null,
  paths: readonly string[],
  sample: readonly (readonly Cell[])[],
): TableColumn[] {
  const types = new Map<string, Map<string, TypeRef>>();
  let wanted = nodeType ? [nodeType] : [];
  for (let depth = 0; wanted.length > 0 && depth < 6; depth += 1) {
    const data = graphql.request<Record<string, IntrospectedType | null>>(typesQuery(wanted));
    wanted.forEach((name, index) => {
      const type = data[`t${index}`];
      types.set(name, new Map((type?.fields ?? []).map((field) => [field.name, field.type])));
    });
    const next = new Set<string>();
    for (const path of paths) {
      let typeName: string | null = nodeType;
      for (const segment of path.split('.').slice(0, -1)) {
        const field: TypeRef | undefined = typeName ? types.get(typeName)?.get(segment) : undefined;
        typeName = field ? named(field).name : null;
        if (typeName && !types.has(typeName)) {
          next.add(typeName);
          break;
        }
      }
    }
    wanted = [...next];
  }
  return paths.map((path, index) => {
    const segments = path.split('.');
    const labels: string[] = [];
    let typeName: string | null = nodeType;
    let leaf: { kind: string; name: string; list: boolean } | null = null;
    segments.forEach((segment, position) => {
      const field = typeName ? types.get(typeName)?.get(segment) : undefined;
      labels.push(fieldLabel(field ? typeName : null, segment));
      const type = field ? named(field) : null;
      if (position === segments.length - 1) {
        leaf = type;
      }
      typeName = type?.name ?? null;
    });
    const header = labels.join(' › ');
    const hidden = HIDDEN_PATHS.includes(path);
    const found = leaf as { kind: string; name: string; list: boolean } | null;
    if (!found || found.list) {
      return {
        path,
        header,
        kind: found ? 'text' : inferredKind(sample, index),
        enumType: null,
        hidden,
      };
    }
    if (found.kind === 'ENUM') {
      return { path, header, kind: 'enum', enumType: found.name, hidden };
    }
    const kind: ColumnKind = NUMBER_SCALARS.includes(found.name)
      ? 'number'
      : found.name === 'Boolean'
        ? 'boolean'
        : 'text';
    return { path, header, kind, enumType: null, hidden };
  });
}

/** A value from the hub as the sheet shows it: enum values become their Portuguese labels. */
export function displayCell(column: TableColumn, cell: Cell): Cell {
  if (column.kind === 'enum' && column.enumType && typeof cell === 'string') {
    return enumLabel(column.enumType, cell);
  }
  return cell;
}
