import { CellError, type CellParser, code, type ColumnSpec, type RowReader } from './import.cells';
import type { ImportKind, KindContext } from './import.kind';
import { planTarget } from './import.plan';
import { insertableInBulk, type RefNamespace, type Target } from './import.targets';
import { type Flat } from '../writes/write.batch';

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

export const email: CellParser<string> = (value) => {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) || value.length > 300) {
    throw new CellError(`"${value.slice(0, 60)}" is not an e-mail address`);
  }
  return value.toLowerCase();
};

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

/** Checks `end` is not before `start`; both ISO. */
export function checkRange(
  reader: RowReader,
  start: string | null,
  end: string | null,
  field: string,
) {
  if (start && end && end < start) {
    reader.fail(reader.header(field), `${end} is before the start date ${start}`);
  }
}

export function entityKind<Row extends Flat>(definition: {
  name: string;
  description: string;
  target: Target;
  refs: RefNamespace[];
  columns: ColumnSpec[];
  readRow(reader: RowReader, context: KindContext): Row | null;
}): ImportKind<Row> {
  const source = `import:${definition.name}`;
  return {
    name: definition.name,
    description: definition.description,
    // Its own namespace too: rows it creates are registered there.
    refs: [
      ...new Set([...definition.refs, definition.target.namespace].filter((n) => n !== undefined)),
    ],
    columns: () => definition.columns,
    readRow: definition.readRow,
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
