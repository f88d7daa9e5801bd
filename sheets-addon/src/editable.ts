import { AddonError } from './i18n';

/**
 * How a table's columns map onto a bulk upsert: which mutation, which columns are the natural
 * key, which column carries the optimistic-lock version, and which input field each editable
 * column feeds. Derived once (at insert) from the server's own input type, so a new upsert field
 * becomes editable without an add-on release.
 */
export interface EditableSpec {
  typeName: string;
  mutation: string;
  inputType: string;
  keyFields: string[];
  versionColumn: string;
  /** input field → column path, e.g. `healthRegionCode` → `healthRegion.code`. */
  columns: Record<string, string>;
  /** input field → GraphQL named type (`Int`, `String`, `ManagementType`…). */
  types: Record<string, string>;
}

/** Node types the writes API can upsert, with their mutation (see the writes contract). */
export const upsertMutations: Record<string, string> = {
  Municipality: 'upsertMunicipalities',
  Person: 'upsertPeople',
  Mandate: 'upsertMandates',
  Event: 'upsertEvents',
  Adhesion: 'upsertAdhesions',
  InstrumentStatus: 'upsertInstrumentStatuses',
};

export const VERSION_FIELD = 'expectedVersion';

export interface IntrospectedInputField {
  name: string;
  type: { kind: string; name: string | null; ofType: IntrospectedInputField['type'] | null };
}

export function inputTypeQuery(inputType: string): string {
  return `query RedeDescribeInput { type: __type(name: "${inputType}") { inputFields { name type { kind name ofType { kind name ofType { kind name } } } } } }`;
}

function namedType(type: IntrospectedInputField['type']): string {
  let current: IntrospectedInputField['type'] | null = type;
  while (current && !current.name) {
    current = current.ofType;
  }
  return current?.name ?? 'String';
}

/** `healthRegionCode` → `healthRegion.code` when the table has that column. */
function columnFor(field: string, columns: readonly string[]): string | null {
  if (columns.includes(field)) {
    return field;
  }
  for (let index = field.length - 1; index > 0; index -= 1) {
    const char = field[index]!;
    if (char >= 'A' && char <= 'Z') {
      const path = `${field.slice(0, index)}.${char.toLowerCase()}${field.slice(index + 1)}`;
      if (columns.includes(path)) {
        return path;
      }
    }
  }
  return null;
}

/**
 * The spec for a table of `typeName` with `columns`, or null when the type is not editable (or
 * the server has no upsert for it). Throws when the type is editable but a key column is missing.
 */
export function editableSpec(
  typeName: string,
  columns: readonly string[],
  inputFields: readonly IntrospectedInputField[] | null,
): EditableSpec | null {
  const mutation = upsertMutations[typeName];
  if (!mutation || !inputFields) {
    return null;
  }
  const spec: EditableSpec = {
    typeName,
    mutation,
    inputType: `${typeName}UpsertInput`,
    keyFields: [],
    versionColumn: 'version',
    columns: {},
    types: {},
  };
  for (const field of inputFields) {
    if (field.name === VERSION_FIELD) {
      continue;
    }
    const column = columnFor(field.name, columns);
    const required = field.type.kind === 'NON_NULL';
    if (required) {
      if (!column) {
        throw new AddonError('errMissingColumn', { column: field.name });
      }
      spec.keyFields.push(field.name);
    }
    if (column) {
      spec.columns[field.name] = column;
      spec.types[field.name] = namedType(field.type);
    }
  }
  if (spec.keyFields.length === 0) {
    return null; // no natural key to find rows by (e.g. events): the table is read-only
  }
  if (!columns.includes(spec.versionColumn)) {
    throw new AddonError('errMissingColumn', { column: spec.versionColumn });
  }
  return spec;
}
