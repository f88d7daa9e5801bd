import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, isEnumType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import labels from '../../schema/labels.pt-BR.json';

const schemaFile = path.resolve(__dirname, '../../schema/schema.graphql');
/** Plumbing a sheet never shows as a column. */
const PLUMBING = /Connection$|Edge$|^PageInfo$|^Query$|^Mutation$/;

describe('Portuguese labels beside the schema', () => {
  const schema = buildSchema(fs.readFileSync(schemaFile, 'utf8'));
  const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));

  it('name every field the add-on can show as a column', () => {
    const missing = types
      .filter((type) => (isObjectType(type) || isInterfaceType(type)) && !PLUMBING.test(type.name))
      .flatMap((type) =>
        Object.keys((type as { getFields(): object }).getFields())
          .filter(
            (field) => !(field in labels.fields) && !(`${type.name}.${field}` in labels.typeFields),
          )
          .map((field) => `${type.name}.${field}`),
      );
    expect(missing, 'add these to "fields" in schema/labels.pt-BR.json').toEqual([]);
  });

  it('name every enum value (form choices and cells show the labels)', () => {
    const enums = labels.enums as Record<string, Record<string, string>>;
    const missing = types.filter(isEnumType).flatMap((type) =>
      type
        .getValues()
        .filter((value) => !enums[type.name]?.[value.name])
        .map((value) => `${type.name}.${value.name}`),
    );
    expect(missing, 'add these to "enums" in schema/labels.pt-BR.json').toEqual([]);
  });

  it('keep no label for something the schema no longer has', () => {
    const known = new Set(types.map((type) => type.name));
    const stale = [
      ...Object.keys(labels.enums).filter((name) => !known.has(name)),
      ...Object.keys(labels.types).filter((name) => !known.has(name)),
      ...Object.keys(labels.typeFields).filter((key) => !known.has(key.split('.')[0]!)),
    ];
    expect(stale).toEqual([]);
  });
});
