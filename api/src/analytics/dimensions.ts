import { Int } from 'type-graphql';
import { EventKind, Modality } from '../activity/activity.enums';
import { AdhesionStatus, Instrument, InstrumentStatusValue } from '../programs/programs.enums';
import { ManagementType, SizeClass, SizeClassCoarse } from '../territory/territory.enums';
import { sql, type Sql } from '../db/sql/sql';
import {
  type Dimension,
  type KeyColumn,
  type KeyValues,
  toBoolean,
  toInt,
  toText,
} from './aggregate';
import {
  type AdhesionDimension,
  type EventDimension,
  type InstrumentDimension,
  type MunicipalityDimension,
} from './analytics.enums';

/*
 * Table aliases every source uses, so one dimension serves several aggregates:
 * m municipalities · s states · hr health_regions · mr health_macroregions · e events ·
 * o organizations · a adhesions · p programs · i instrument_statuses.
 */

/** Position of an enum value in its declaration: size classes sort by size, statuses by stage. */
function ordinal(values: readonly string[]) {
  return (value: unknown): number | null => {
    const index = values.indexOf(value as string);
    return index < 0 ? null : index;
  };
}

function enumDimension(
  field: string,
  description: string,
  type: object,
  expression: Sql,
  labels: Record<string, string>,
  nullLabel: string,
): Dimension {
  const rank = ordinal(Object.keys(labels));
  return {
    columns: [{ ...text(field, description, expression), type: () => type }],
    label: (key) => (key[field] == null ? nullLabel : (labels[key[field] as string] ?? '')),
    rank: (key) => rank(key[field]),
  };
}

/** A text key column. */
function text(field: string, description: string, expression: Sql): KeyColumn {
  return { field, type: () => String, description, sql: expression, parse: toText };
}

/** One text column, each group labelled and ranked by its value. */
function textDimension(field: string, description: string, expression: Sql): Dimension {
  return {
    columns: [text(field, description, expression)],
    label: (key) => String(key[field]),
    rank: (key) => toText(key[field]),
  };
}

/** A code and a name, ranked by the code and labelled by it (`code name` when `named`). */
function codeAndName(code: KeyColumn, name: KeyColumn, nullLabel: string, named: boolean) {
  const [c, n] = [code.field, name.field];
  return {
    columns: [code, name],
    label: (key: KeyValues) =>
      key[c] == null ? nullLabel : named ? `${key[c]} ${key[n]}` : String(key[c]),
    rank: (key: KeyValues) => toText(key[c]),
  } satisfies Dimension;
}

function codeNameDimension(
  prefix: string,
  what: string,
  alias: string,
  nullLabel: string,
): Dimension {
  return codeAndName(
    text(`${prefix}Code`, `Code of the ${what}.`, sql.ident(alias, 'code')),
    text(`${prefix}Name`, `Name of the ${what}.`, sql.ident(alias, 'name')),
    nullLabel,
    true,
  );
}

const uf = codeAndName(
  text('uf', 'State acronym.', sql`s.uf`),
  text('stateName', 'State name.', sql`s.name`),
  '(sem UF)',
  false,
);

const macroregion = codeNameDimension(
  'macroregion',
  'health macroregion',
  'mr',
  '(sem macrorregião de saúde)',
);
const healthRegion = codeNameDimension(
  'healthRegion',
  'health region',
  'hr',
  '(sem região de saúde)',
);

const sizeClassLabels: Record<SizeClass, string> = {
  [SizeClass.UP_TO_5K]: 'até 5 mil hab.',
  [SizeClass.FROM_5K_TO_10K]: '5 a 10 mil hab.',
  [SizeClass.FROM_10K_TO_20K]: '10 a 20 mil hab.',
  [SizeClass.FROM_20K_TO_50K]: '20 a 50 mil hab.',
  [SizeClass.FROM_50K_TO_100K]: '50 a 100 mil hab.',
  [SizeClass.FROM_100K_TO_500K]: '100 a 500 mil hab.',
  [SizeClass.OVER_500K]: 'mais de 500 mil hab.',
};
const sizeClass = enumDimension(
  'sizeClass',
  "IBGE's size class.",
  SizeClass,
  sql`m.size_class`,
  sizeClassLabels,
  '(população desconhecida)',
);

/** Same bounds as `coarseSizeClassOf`: ≤5,000 small, ≤50,000 medium, above that large. */
const sizeClassCoarse = enumDimension(
  'sizeClassCoarse',
  'Coarse size class (≤5k, 5–50k, >50k).',
  SizeClassCoarse,
  sql`case when m.population is null then null when m.population <= 5000 then 'SMALL' when m.population <= 50000 then 'MEDIUM' else 'LARGE' end`,
  {
    [SizeClassCoarse.SMALL]: 'pequeno (até 5 mil hab.)',
    [SizeClassCoarse.MEDIUM]: 'médio (5 a 50 mil hab.)',
    [SizeClassCoarse.LARGE]: 'grande (mais de 50 mil hab.)',
  },
  '(população desconhecida)',
);

const managementType = enumDimension(
  'managementType',
  'Management type.',
  ManagementType,
  sql`m.management_type`,
  {
    [ManagementType.APS_ONLY]: 'só atenção primária',
    [ManagementType.PARTIAL_MEDIUM_COMPLEXITY]: 'média complexidade parcial',
    [ManagementType.FULL]: 'gestão plena',
  },
  '(gestão não informada)',
);

const capital: Dimension = {
  columns: [
    {
      field: 'capital',
      type: () => Boolean,
      description: 'True for state capitals.',
      sql: sql`m.is_capital`,
      parse: toBoolean,
    },
  ],
  label: (key) => (key.capital ? 'capital' : 'interior'),
  rank: (key) => (key.capital == null ? null : key.capital ? 0 : 1),
};

export const municipalityDimensions: Record<MunicipalityDimension, Dimension> = {
  UF: uf,
  MACROREGION: macroregion,
  HEALTH_REGION: healthRegion,
  SIZE_CLASS: sizeClass,
  SIZE_CLASS_COARSE: sizeClassCoarse,
  MANAGEMENT_TYPE: managementType,
  CAPITAL: capital,
};

const labelsOf = <E extends string>(values: Record<string, E>) =>
  Object.fromEntries(Object.values(values).map((value) => [value, value])) as unknown as Record<
    E,
    string
  >;

export const eventDimensions: Record<EventDimension, Dimension> = {
  KIND: enumDimension(
    'kind',
    'Event kind.',
    EventKind,
    sql`e.kind`,
    labelsOf(EventKind),
    '(sem tipo)',
  ),
  MONTH: textDimension(
    'month',
    'Month of the start date, YYYY-MM.',
    sql`substr(e.start_date, 1, 7)`,
  ),
  YEAR: {
    columns: [
      {
        field: 'year',
        type: () => Int,
        description: 'Year of the start date.',
        sql: sql`substr(e.start_date, 1, 4)`,
        parse: toInt,
      },
    ],
    label: (key) => String(key.year),
    rank: (key) => toInt(key.year),
  },
  UF: uf,
  HEALTH_REGION: healthRegion,
  MODALITY: enumDimension(
    'modality',
    'Modality.',
    Modality,
    sql`e.modality`,
    { IN_PERSON: 'presencial', ONLINE: 'online', HYBRID: 'híbrido' },
    '(sem modalidade)',
  ),
  ORGANIZATION: codeAndName(
    text('organizationCode', "Organiser's code.", sql`o.code`),
    text('organizationName', "Organiser's name.", sql`o.name`),
    '(sem organizador)',
    false,
  ),
};

/** An approved adhesion past its validity reads as expired (as `Adhesion.status` does). */
export function effectiveAdhesionStatusSql(on: string): Sql {
  return sql`case when a.status = 'APPROVED' and a.valid_until is not null and a.valid_until < ${on} then 'EXPIRED' else a.status end`;
}

export function adhesionDimensions(on: string): Record<AdhesionDimension, Dimension> {
  return {
    PROGRAM: codeNameDimension('program', 'program', 'p', '(sem programa)'),
    STATUS: enumDimension(
      'status',
      'Adhesion status on the day asked (APPROVED past validity reads EXPIRED).',
      AdhesionStatus,
      effectiveAdhesionStatusSql(on),
      labelsOf(AdhesionStatus),
      '(sem status)',
    ),
    UF: uf,
    MACROREGION: macroregion,
    HEALTH_REGION: healthRegion,
    SIZE_CLASS: sizeClass,
    SIZE_CLASS_COARSE: sizeClassCoarse,
  };
}

export const instrumentDimensions: Record<InstrumentDimension, Dimension> = {
  INSTRUMENT: enumDimension(
    'instrument',
    'Management instrument.',
    Instrument,
    sql`i.instrument`,
    labelsOf(Instrument),
    '(sem instrumento)',
  ),
  PERIOD: textDimension('period', 'Reference period.', sql`i.period`),
  STATUS: enumDimension(
    'status',
    'Instrument status.',
    InstrumentStatusValue,
    sql`i.status`,
    labelsOf(InstrumentStatusValue),
    '(sem status)',
  ),
  UF: uf,
  MACROREGION: macroregion,
  HEALTH_REGION: healthRegion,
  SIZE_CLASS: sizeClass,
};
