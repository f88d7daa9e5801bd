import { CellError, type CellParser, code, type ColumnSpec, type RowReader } from './import.cells';
import type { ImportKind, KindContext, Located } from './import.kind';
import { planTarget } from './import.plan';
import { insertableInBulk, type RefNamespace, type Target, ufOfCode } from './import.targets';
import { systemViewer } from '../auth/viewer';
import type { Em } from '../db/orm';
import { Batch, type Flat } from '../writes/write.batch';
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

/** A write spec, and the column each of its fields is read from. */
interface Rules {
  spec: WriteSpec;
  columnOf: Record<string, string>;
}

/** Where a spec's problem goes: under the column its field is read from, else naming the field. */
function placed(
  rules: Rules,
  problem: { field: string; message: string },
  header: (field: string) => string,
): { column: string | null; message: string } {
  const column = rules.columnOf[problem.field];
  return column
    ? { column: header(column), message: problem.message }
    : { column: null, message: `${problem.field}: ${problem.message}` };
}

/**
 * The write spec's `check` on the rows of a file, each against its stored version (by natural
 * key) and against the rows before it, as mutations of the same rows in file order are checked.
 */
async function checkStored(
  rules: Rules,
  rows: Located<Flat>[],
  em: Em,
  context: KindContext,
): Promise<void> {
  const { spec } = rules;
  const batch = new Batch(em, systemViewer('import'));
  await batch.loadStates();
  const keys = [...new Set(rows.map(({ row }) => spec.keyOf(row)))].filter((key) => key !== null);
  const stored = new Map<string, { id: number; before: Flat }>();
  for (let start = 0; start < keys.length; start += 500) {
    for (const entity of await spec.load(em, { ids: [], keys: keys.slice(start, start + 500) })) {
      const before = spec.snapshot(entity, batch);
      stored.set(spec.keyOf(before) ?? '', { id: entity.id, before });
    }
  }
  await spec.prepare(
    batch,
    rows.map(({ row }) => row),
  );
  for (const at of rows) {
    const current = stored.get(spec.keyOf(at.row) ?? '') ?? null;
    for (const problem of spec.check(at.row, current?.before ?? null, batch, current?.id ?? null)) {
      context.issues.add({
        file: at.file,
        line: at.line,
        ...placed(rules, problem, at.header ?? ((field) => field)),
      });
    }
    spec.remember?.(at.row, current?.id ?? null, batch);
  }
}

export function entityKind<Row extends Flat>(definition: {
  name: string;
  description: string;
  target: Target;
  refs: RefNamespace[];
  columns: ColumnSpec[];
  readRow(reader: RowReader, context: KindContext): Row | null;
  /**
   * The write spec whose `rowRules` every row read must pass (and, for a kind diffed in memory,
   * whose `check` every row must pass against its stored version), and the column each of its
   * fields is read from (where a problem is reported; a field not listed names the row).
   */
  rules?: Rules;
}): ImportKind<Row> {
  const { rules } = definition;
  const staged =
    insertableInBulk(definition.target) && !definition.target.populate
      ? definition.target
      : undefined;
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
        const { column, message } = placed(rules, problem, (field) => reader.header(field));
        reader.fail(column, message);
      }
      return problems.length > 0 ? null : row;
    },
    identity: (row) => `${definition.target.name} ${definition.target.keyOf(row)}`,
    staged,
    // A staged kind streams its rows into a staging table and holds none to check this way.
    checkStored:
      rules && !staged ? (rows, em, context) => checkStored(rules, rows, em, context) : undefined,
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
