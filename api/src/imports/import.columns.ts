import { CellError, type CellParser, code, type ColumnSpec, type RowReader } from './import.cells';
import type { ImportKind, KindContext } from './import.kind';
import { planTarget } from './import.plan';
import { insertableInBulk, type RefNamespace, type Target, ufOfCode } from './import.targets';
import { type Flat } from '../writes/write.batch';
import { type WriteSpec } from '../writes/write.spec';
import { type z } from 'zod';

export const labels: Record<RefNamespace, string> = {
  State: 'state',
  Municipality: 'municipality',
  HealthRegion: 'health region',
  HealthMacroregion: 'health macroregion',
  Person: 'person',
  Organization: 'organisation',
  Program: 'program',
  Event: 'event',
};

/** A natural key that must name an existing row of `namespace`. */
export function existing(
  context: KindContext,
  namespace: RefNamespace,
  parse: CellParser<string> = code(80),
): CellParser<string> {
  return (value) => {
    const key = namespace === 'State' ? parse(value).toUpperCase() : parse(value);
    if (!context.refs.has(namespace, key)) {
      throw new CellError(`${labels[namespace]} "${key}" is unknown`);
    }
    return key;
  };
}

/**
 * A cell read by `parse` (text to value: dates, numbers, aliases, lists) and then checked and
 * normalised by the entity's write spec's own rule for `field`: an import accepts exactly what a
 * mutation accepts, and says why not in the same words, at the cell's file:line.
 */
export function ruled<T = string>(
  spec: WriteSpec,
  field: string,
  parse: CellParser<T> = (value) => value as T,
): CellParser<T> {
  const rule = spec.schema.shape[field] as z.ZodType | undefined;
  if (!rule) {
    throw new Error(`${spec.typeName} has no field ${field}`);
  }
  return (value) => {
    const result = rule.safeParse(parse(value));
    if (!result.success) {
      throw new CellError(result.error.issues.map((issue) => issue.message).join('; '));
    }
    return result.data as T;
  };
}

export const codeColumn: ColumnSpec = {
  field: 'code',
  aliases: ['code', 'codigo', 'cod', 'id', 'chave', 'key'],
  required: true,
};
export const municipalityColumn: ColumnSpec = {
  field: 'municipality',
  aliases: [
    'municipality',
    'municipalitycode',
    'ibge',
    'ibgecode',
    'codibge',
    'codmun',
    'codmunicipio',
    'codigomunicipio',
    'codigodomunicipio',
  ],
};
export const stateColumn: ColumnSpec = {
  field: 'state',
  aliases: ['uf', 'state', 'estado', 'sguf'],
};
export const regionColumn: ColumnSpec = {
  field: 'region',
  aliases: [
    'region',
    'healthregion',
    'regioncode',
    'regiao',
    'codregiao',
    'regiaodesaude',
    'coregsaud',
  ],
};
export const organizationColumn: ColumnSpec = {
  field: 'organization',
  aliases: ['organization', 'organisation', 'org', 'organizacao', 'orgao', 'entidade'],
};

export function entityKind<Row extends Flat>(definition: {
  name: string;
  description: string;
  target: Target;
  refs: RefNamespace[];
  columns: ColumnSpec[];
  readRow(reader: RowReader, context: KindContext): Row | null;
  /**
   * The write spec whose `rowRules` every row read must pass, and the column each of its fields
   * is read from (where a problem is reported; a field not listed names the row).
   */
  rules?: { spec: WriteSpec; columnOf: Record<string, string> };
}): ImportKind<Row> {
  const { rules } = definition;
  const source = `import:${definition.name}`;
  return {
    name: definition.name,
    description: definition.description,
    // Its own namespace too: rows it creates are registered there.
    refs: [
      ...new Set([...definition.refs, definition.target.namespace].filter((n) => n !== undefined)),
    ],
    columns: () => definition.columns,
    readRow(reader, context) {
      const row = definition.readRow(reader, context);
      if (row === null || !reader.valid || !rules?.spec.rowRules) {
        return row;
      }
      const problems = rules.spec.rowRules(row, ufOfCode);
      for (const problem of problems) {
        const column = rules.columnOf[problem.field];
        reader.fail(
          column ? reader.header(column) : null,
          column ? problem.message : `${problem.field}: ${problem.message}`,
        );
      }
      return problems.length > 0 ? null : row;
    },
    identity: (row) => `${definition.target.name} ${definition.target.keyOf(row)}`,
    staged:
      insertableInBulk(definition.target) && !definition.target.populate
        ? definition.target
        : undefined,
    async plan(em, rows, context) {
      return [
        await planTarget(em, context.refs, definition.target, rows, {
          pruneWhere: context.prune ? { source } : null,
        }),
      ];
    },
  };
}

/** Column aliases of an IBGE municipality code in official territory files. */
export const municipalityAliases = [
  'codmun',
  'comunicip',
  'codmunicipio',
  'codigomunicipio',
  'codigodomunicipio',
  'municipiocodigo',
  'ibge',
  'codibge',
  'codigoibge',
  'municipality',
  'municipalitycode',
  'ibgecode',
  /^codmun/,
];
