import { ReferenceKind, type EntityProperty, type MetadataStorage } from '@mikro-orm/core';
import {
  GraphQLEnumType,
  GraphQLObjectType,
  getNamedType,
  isNonNullType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { analyticsRoots } from '../../analytics/analytics.resolver';
import type { Em } from '../../db/orm';
import { MandateRole } from '../../people/people.enums';
import { territoryRoots } from '../../territory/territory.resolver';

/**
 * What compiled reads answer: the object types, fields and root fields whose value is a column,
 * a many-to-one row or a mandate in force — exactly what the resolvers return for them, with no
 * per-viewer rule. Fields resolved any other way (global ids, timestamps, floats, computed labels,
 * personal data, arguments other than those declared) are not here, and a document that selects
 * one takes the resolvers' path. Columns and to-one rows are derived from the schema and the
 * entities (`objectCatalogOf`); mandates in force are declared below, and root fields beside
 * their resolvers (`territoryRoots`, `analyticsRoots`).
 * `api/test/graphql/compiled-reads.test.ts` checks every entry against the resolvers on both
 * databases.
 */
export interface ObjectEntry {
  /** The MikroORM entity behind the GraphQL object type of the same name. */
  entity: string;
  /** GraphQL fields read straight from the property's column. */
  columns: readonly string[];
  /** GraphQL fields that, without arguments, are the property's many-to-one row. */
  toOne: readonly string[];
  /** Fields answering "the mandate of this role in force on `asOf` (default today)". */
  inForce: Readonly<Record<string, MandateRole>>;
}

/** What the metadata cannot say about a catalogued object type. */
export interface ObjectDeclaration {
  /** Fields answering "the mandate of this role in force on `asOf` (default today)". */
  inForce?: Readonly<Record<string, MandateRole>>;
  /**
   * Many-to-one fields with arguments whose resolver, called without them, is the row: given
   * one, it reads another (`healthRegion(asOf:)`, from region memberships) and is not compiled.
   */
  toOneWithoutArguments?: readonly string[];
}

/**
 * The object types compiled reads answer, each backed by the MikroORM entity of the same name.
 * Their `columns` and `toOne` fields are derived (`objectCatalogOf`); only this is declared.
 */
export const cataloguedTypes: Readonly<Record<string, ObjectDeclaration>> = {
  Municipality: {
    inForce: { gestor: MandateRole.MUNICIPAL_SECRETARY, mayor: MandateRole.MAYOR },
    toOneWithoutArguments: ['healthRegion'],
  },
  State: {},
  HealthRegion: {},
  HealthMacroregion: {},
  Mandate: {},
  Person: {},
};

export type ObjectCatalog = Readonly<Record<string, ObjectEntry>>;

/** type-graphql's decorator metadata, built with the schema. */
export type TypeMetadata = ReturnType<typeof getMetadataStorage>;
type ClassTarget = TypeMetadata['fields'][number]['target'];

/**
 * The MikroORM property types whose column reads back as the GraphQL scalar's value, on both
 * databases. Dates are ISO text (`LocalDate`); booleans are 0/1 in SQLite, which the statement
 * turns back into JSON booleans. Timestamps, floats, ids and JSON are not here: the database
 * writes them differently from graphql-js.
 */
const storedAs: Readonly<Record<string, readonly string[]>> = {
  String: ['string', 'text'],
  LocalDate: ['string'],
  Int: ['integer', 'smallint'],
  Boolean: ['boolean'],
};

/** An enum whose GraphQL names are its stored values, so the column reads as the answer. */
function storedAsNamed(type: GraphQLNamedType): boolean {
  return (
    type instanceof GraphQLEnumType &&
    type.getValues().every((enumValue) => enumValue.value === enumValue.name)
  );
}

/** Whether the column of `property` holds exactly what graphql-js answers for `field`. */
function columnIsTheValue(
  field: GraphQLField<unknown, unknown>,
  property: EntityProperty,
): boolean {
  const named = getNamedType(field.type);
  const sameValue = property.enum
    ? storedAsNamed(named)
    : (storedAs[named.name]?.includes(property.type) ?? false);
  return sameValue && nullableWhereItsColumnIs(field, property);
}

/** A non-null field cannot read a nullable column (the resolver would fail where SQL gives null). */
function nullableWhereItsColumnIs(
  field: GraphQLField<unknown, unknown>,
  property: EntityProperty,
): boolean {
  return !(isNonNullType(field.type) && property.nullable);
}

/** The classes whose fields make up `type`'s: the class itself and its ancestors. */
function lineage(types: TypeMetadata, type: string): ClassTarget[] {
  const target = types.objectTypes.find((objectType) => objectType.name === type)?.target;
  const classes: ClassTarget[] = [];
  for (let current = target; current && current !== Function.prototype;) {
    classes.push(current);
    current = Object.getPrototypeOf(current) as ClassTarget | undefined;
  }
  return classes;
}

/**
 * What stands between a GraphQL field and the property of its name: a field resolver,
 * `@Authorized` (on the field, its resolver or the resolver's class), a middleware, or a field
 * that reads another property (`id` reads `globalId`). Personal data are field resolvers that
 * ask who reads (`Person.email`/`phone`), so they count here too.
 */
type FieldRule = 'resolver' | 'authorized' | 'middleware' | 'another property';

function rulesOf(types: TypeMetadata, type: string, field: string): Set<FieldRule> {
  const classes = lineage(types, type);
  const rules = new Set<FieldRule>();
  const fields = types.fields.filter(
    (meta) => meta.schemaName === field && classes.includes(meta.target),
  );
  for (const meta of fields) {
    if (meta.name !== field) {
      rules.add('another property');
    }
    if (meta.roles) {
      rules.add('authorized');
    }
    if (meta.middlewares?.length) {
      rules.add('middleware');
    }
  }
  for (const resolver of types.fieldResolvers) {
    if (
      resolver.schemaName !== field ||
      !classes.includes(resolver.getObjectType?.() as ClassTarget)
    ) {
      continue;
    }
    rules.add('resolver');
    if (
      resolver.roles ||
      types.authorizedResolver.some((authorized) => authorized.target === resolver.target)
    ) {
      rules.add('authorized');
    }
    if (
      resolver.middlewares?.length ||
      types.resolverMiddlewares.some((middleware) => middleware.target === resolver.target)
    ) {
      rules.add('middleware');
    }
  }
  return rules;
}

/** A field whose only rule is its resolver: a row loader, for to-one and in-force fields. */
const onlyAResolver = (rules: Set<FieldRule>) => [...rules].every((rule) => rule === 'resolver');

/**
 * The catalogue of `cataloguedTypes`, derived from the schema, type-graphql's metadata and
 * MikroORM's. A field is a column when it has no rule of its own (`rulesOf`), no arguments, its
 * name is a scalar property of the entity and its type reads back from the column as is
 * (`storedAs`, enums stored by name, nullable where the column is). A field is a to-one row when
 * its only rule is a field resolver (the row loader), it has no arguments (or is declared in
 * `toOneWithoutArguments`), and its property is a many-to-one to a catalogued type of that name.
 * A declared mandate in force that gained a rule is left out too.
 */
export function objectCatalogOf(
  schema: GraphQLSchema,
  entities: MetadataStorage,
  types: TypeMetadata = getMetadataStorage(),
): ObjectCatalog {
  const catalogue: Record<string, ObjectEntry> = {};
  for (const [typeName, declaration] of Object.entries(cataloguedTypes)) {
    const object = schema.getType(typeName);
    if (!(object instanceof GraphQLObjectType)) {
      throw new Error(`catalogued type ${typeName} is not an object type of the schema`);
    }
    const declared = [
      ...Object.keys(declaration.inForce ?? {}),
      ...(declaration.toOneWithoutArguments ?? []),
    ];
    for (const field of declared.filter((name) => !object.getFields()[name])) {
      throw new Error(`catalogued field ${typeName}.${field} is not in the schema`);
    }
    const meta = entities.get(typeName);
    const columns: string[] = [];
    const toOne: string[] = [];
    for (const field of Object.values(object.getFields())) {
      const property = meta.properties[field.name as never] as EntityProperty | undefined;
      if (!property) {
        continue;
      }
      const rules = rulesOf(types, typeName, field.name);
      if (
        property.kind === ReferenceKind.SCALAR &&
        rules.size === 0 &&
        field.args.length === 0 &&
        columnIsTheValue(field, property)
      ) {
        columns.push(field.name);
      }
      if (
        property.kind === ReferenceKind.MANY_TO_ONE &&
        onlyAResolver(rules) &&
        (field.args.length === 0 || declaration.toOneWithoutArguments?.includes(field.name)) &&
        property.type in cataloguedTypes &&
        getNamedType(field.type).name === property.type &&
        nullableWhereItsColumnIs(field, property)
      ) {
        toOne.push(field.name);
      }
    }
    const inForce = Object.fromEntries(
      Object.entries(declaration.inForce ?? {}).filter(([field]) =>
        onlyAResolver(rulesOf(types, typeName, field)),
      ),
    );
    catalogue[typeName] = { entity: meta.className, columns, toOne, inForce };
  }
  return catalogue;
}

/** Root fields answering one row by a key argument, with the resolver's own condition. */
export interface LookupEntry {
  type: string;
  where(args: Record<string, unknown>): unknown;
}

export const lookupCatalog: Readonly<Record<string, LookupEntry>> = territoryRoots.lookups;

/** Root connections, with the resolver's own filter and order builders. */
export interface ConnectionEntry {
  type: string;
  where(args: Record<string, unknown>): unknown;
  orderBy(args: Record<string, unknown>): readonly unknown[];
}

export const connectionCatalog: Readonly<Record<string, ConnectionEntry>> =
  territoryRoots.connections;

/**
 * Root fields whose answer is plain data — objects whose GraphQL fields are their own properties
 * (no field resolvers): the aggregates. Compiled reads run the same function as the resolver
 * and write the selected fields as JSON directly, without graphql-js resolving 40,000 rows × N
 * fields.
 */
export interface DataEntry {
  run(em: Em, args: Record<string, never>): Promise<unknown>;
}

export const dataCatalog: Readonly<Record<string, DataEntry>> = analyticsRoots.data;
