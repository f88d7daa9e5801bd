import labels from '../../schema/labels.pt-BR.json';

/**
 * Portuguese names for what the schema calls in English: column headers and enum choices. The
 * map lives beside `schema/schema.graphql` (a test fails when a field or enum value lacks one)
 * and is bundled, so labels cost no request.
 */
interface LabelMap {
  types: Record<string, string>;
  fields: Record<string, string>;
  typeFields: Record<string, string>;
  enums: Record<string, Record<string, string>>;
}

const map = labels as unknown as LabelMap;

export function fieldLabel(typeName: string | null, field: string): string {
  return (
    (typeName ? map.typeFields[`${typeName}.${field}`] : undefined) ?? map.fields[field] ?? field
  );
}

export function typeLabel(typeName: string): string {
  return map.types[typeName] ?? typeName;
}

export function enumLabel(enumType: string, value: string): string {
  return map.enums[enumType]?.[value] ?? value;
}

/** An enum's values with their labels, in the label map's order. */
export function enumChoices(enumType: string): { value: string; label: string }[] {
  return Object.entries(map.enums[enumType] ?? {}).map(([value, label]) => ({ value, label }));
}

export function hasEnumLabels(enumType: string): boolean {
  return enumType in map.enums;
}

/** The enum value a cell means: its label (any case, spaces trimmed) or the value itself. */
export function enumValue(enumType: string, text: string): string | null {
  const values = map.enums[enumType];
  const wanted = text.trim();
  if (!values) {
    return wanted;
  }
  if (wanted in values) {
    return wanted;
  }
  const lowered = wanted.toLocaleLowerCase('pt-BR');
  const found = Object.entries(values).find(
    ([, label]) => label.toLocaleLowerCase('pt-BR') === lowered,
  );
  return found ? found[0] : null;
}

/** A header from a column path without type information: each segment's field label. */
export function pathLabel(path: string): string {
  return path
    .split('.')
    .map((segment) => fieldLabel(null, segment))
    .join(' › ');
}
