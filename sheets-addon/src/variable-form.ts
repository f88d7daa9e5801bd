import { type VariableDefinition } from '../../api/src/saved-queries/query-paging';
import { AddonError } from './i18n';
import { enumLabel } from './labels';

export type FormFieldKind = 'text' | 'int' | 'float' | 'boolean' | 'enum' | 'json';

/** One input of the sidebar's variables form, built from a variable definition. */
export interface FormField {
  name: string;
  label: string;
  kind: FormFieldKind;
  /** A list of scalars: one value per line or comma-separated. */
  list: boolean;
  required: boolean;
  /** Enum choices: the value sent, the Portuguese label shown. */
  options: { value: string; label: string }[];
  /** The value to show first: the saved value, else the query's default. */
  value: string;
}

export interface NamedTypeInfo {
  kind: 'SCALAR' | 'ENUM' | 'INPUT_OBJECT' | string;
  enumValues: string[];
}

const scalarKinds: Record<string, FormFieldKind> = {
  Int: 'int',
  Float: 'float',
  Boolean: 'boolean',
  String: 'text',
  ID: 'text',
  LocalDate: 'text',
};

/** The named types a form needs described by the server (enums, input objects). */
export function typesToDescribe(definitions: readonly VariableDefinition[]): string[] {
  return [...new Set(definitions.map((d) => d.namedType))].filter((name) => !(name in scalarKinds));
}

/** One introspection document for all of them (aliases `t0`, `t1`, …). */
export function describeTypesQuery(names: readonly string[]): string {
  const parts = names.map((name, index) => {
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) {
      throw new AddonError('errBadVariable', { name, reason: 'tipo inválido' });
    }
    return `t${index}: __type(name: "${name}") { kind enumValues { name } }`;
  });
  return `query RedeDescribeTypes { ${parts.join(' ')} }`;
}

export function readTypeDescriptions(
  names: readonly string[],
  data: Record<string, { kind: string; enumValues: { name: string }[] | null } | null>,
): Record<string, NamedTypeInfo> {
  return Object.fromEntries(
    names.map((name, index) => {
      const type = data[`t${index}`];
      return [
        name,
        { kind: type?.kind ?? 'SCALAR', enumValues: (type?.enumValues ?? []).map((v) => v.name) },
      ];
    }),
  );
}

function display(value: unknown, field: Pick<FormField, 'kind' | 'list'>): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (field.kind === 'json') {
    return JSON.stringify(value);
  }
  if (field.list && Array.isArray(value)) {
    return value.join(', ');
  }
  return String(value);
}

export function buildForm(
  definitions: readonly VariableDefinition[],
  types: Record<string, NamedTypeInfo>,
  saved: Record<string, unknown> = {},
): FormField[] {
  return definitions.map((definition) => {
    const type = types[definition.namedType];
    let kind: FormFieldKind = scalarKinds[definition.namedType] ?? 'text';
    if (type?.kind === 'ENUM') {
      kind = 'enum';
    } else if (type?.kind === 'INPUT_OBJECT') {
      kind = 'json';
    }
    const list = definition.list && kind !== 'json';
    const field = {
      name: definition.name,
      label: `${definition.name}: ${definition.type}`,
      kind,
      list,
      required: definition.required,
      options:
        type?.kind === 'ENUM'
          ? type.enumValues.map((value) => ({
              value,
              label: enumLabel(definition.namedType, value),
            }))
          : [],
    };
    const initial = definition.name in saved ? saved[definition.name] : definition.defaultValue;
    return { ...field, value: display(initial, field) };
  });
}

function scalar(field: FormField, raw: string): unknown {
  switch (field.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(raw)) {
        throw new AddonError('errBadVariable', {
          name: field.name,
          reason: `"${raw}" não é inteiro`,
        });
      }
      return Number(raw);
    }
    case 'float': {
      const number = Number(raw.replace(',', '.'));
      if (raw === '' || !Number.isFinite(number)) {
        throw new AddonError('errBadVariable', {
          name: field.name,
          reason: `"${raw}" não é número`,
        });
      }
      return number;
    }
    case 'boolean': {
      const lowered = raw.toLowerCase();
      if (['true', 'verdadeiro', 'sim', '1'].includes(lowered)) {
        return true;
      }
      if (['false', 'falso', 'não', 'nao', '0'].includes(lowered)) {
        return false;
      }
      throw new AddonError('errBadVariable', {
        name: field.name,
        reason: `"${raw}" não é sim/não`,
      });
    }
    case 'enum': {
      const option = field.options.find(
        (choice) => choice.value === raw || choice.label.toLowerCase() === raw.toLowerCase(),
      );
      if (!option) {
        throw new AddonError('errBadVariable', {
          name: field.name,
          reason: `"${raw}" não é um de ${field.options.map((choice) => choice.label).join(', ')}`,
        });
      }
      return option.value;
    }
    case 'json':
    case 'text':
      return raw;
  }
}

/** Turns the form's strings into GraphQL variables; empty optional fields are left out. */
export function readForm(
  fields: readonly FormField[],
  values: Record<string, string>,
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = (values[field.name] ?? '').trim();
    if (raw === '') {
      if (field.required) {
        throw new AddonError('errBadVariable', { name: field.name, reason: 'é obrigatória' });
      }
      continue;
    }
    if (field.kind === 'json') {
      try {
        variables[field.name] = JSON.parse(raw);
      } catch {
        throw new AddonError('errBadVariable', { name: field.name, reason: 'não é JSON válido' });
      }
      continue;
    }
    variables[field.name] = field.list
      ? raw
          .split(/[\n,;]/)
          .map((part) => part.trim())
          .filter(Boolean)
          .map((part) => scalar(field, part))
      : scalar(field, raw);
  }
  return variables;
}
