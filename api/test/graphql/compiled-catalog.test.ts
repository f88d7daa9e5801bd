import { MikroORM } from '@mikro-orm/core';
import { GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMetadataStorage } from 'type-graphql';
import { anonymousViewer } from '../../src/auth/viewer';
import { ormOptions, type Orm } from '../../src/db/orm';
import {
  cataloguedTypes,
  connectionCatalog,
  dataCatalog,
  lookupCatalog,
  objectCatalogOf,
  type ObjectCatalog,
} from '../../src/graphql/compiled/catalog';
import { buildAppSchema } from '../../src/graphql/schema';

/**
 * Compiled reads answer catalogued fields straight from SQL, without running their resolvers,
 * middlewares or `@Authorized` rules. So a catalogued column must have none of those, and a
 * to-one row or mandate in force only its row loader — or a rule added later (a contact field, a
 * per-viewer mask) would be skipped on the compiled path. The catalogue is derived
 * (`objectCatalogOf`); this checks its output with a rule finder of its own.
 */
type Metadata = ReturnType<typeof getMetadataStorage>;
/** A decorated class, as type-graphql's metadata names it. */
type ClassTarget = Metadata['fields'][number]['target'];

type Kind = 'column' | 'toOne' | 'inForce' | 'none';

function kindOf(catalog: ObjectCatalog, type: string, field: string): Kind {
  const entry = catalog[type];
  if (entry?.columns.includes(field)) {
    return 'column';
  }
  if (entry?.toOne.includes(field)) {
    return 'toOne';
  }
  return entry && field in entry.inForce ? 'inForce' : 'none';
}

/** Every catalogued field as `Type.field`, with what the catalogue makes of it. */
function catalogued(catalog: ObjectCatalog): { path: string; kind: Kind }[] {
  return Object.entries(catalog).flatMap(([type, entry]) =>
    [...entry.columns, ...entry.toOne, ...Object.keys(entry.inForce)].map((field) => ({
      path: `${type}.${field}`,
      kind: kindOf(catalog, type, field),
    })),
  );
}

/** The classes whose fields make up `type`'s: the class itself and its ancestors. */
function lineage(metadata: Metadata, type: string): ClassTarget[] {
  const target = metadata.objectTypes.find((objectType) => objectType.name === type)?.target;
  const classes: ClassTarget[] = [];
  for (let current = target; current && current !== Function.prototype;) {
    classes.push(current);
    current = Object.getPrototypeOf(current) as ClassTarget | undefined;
  }
  return classes;
}

/** What stands between a catalogued field and its column: resolvers, roles, middlewares. */
function guardsOf(metadata: Metadata, schema: GraphQLSchema, path: string): string[] {
  const [type, field] = path.split('.') as [string, string];
  const classes = lineage(metadata, type);
  const found: string[] = [];
  for (const meta of metadata.fields) {
    if (meta.schemaName === field && classes.includes(meta.target)) {
      if (meta.roles) {
        found.push(`@Authorized(${meta.roles.join(', ')}) on the field`);
      }
      if (meta.middlewares?.length) {
        found.push('a middleware on the field');
      }
    }
  }
  for (const resolver of metadata.fieldResolvers) {
    if (
      resolver.schemaName !== field ||
      !classes.includes(resolver.getObjectType?.() as ClassTarget)
    ) {
      continue;
    }
    found.push('a field resolver');
    if (resolver.roles) {
      found.push(`@Authorized(${resolver.roles.join(', ')}) on its resolver`);
    }
    if (resolver.middlewares?.length) {
      found.push('a middleware on its resolver');
    }
    const byClass = metadata.authorizedResolver.find((it) => it.target === resolver.target);
    if (byClass) {
      found.push('@Authorized on its resolver class');
    }
    const classMiddlewares = metadata.resolverMiddlewares.filter(
      (it) => it.target === resolver.target,
    );
    if (classMiddlewares.length > 0) {
      found.push('a middleware on its resolver class');
    }
  }
  const object = schema.getType(type);
  if (!(object instanceof GraphQLObjectType) || !object.getFields()[field]) {
    found.push('no such field in the schema');
  }
  return found;
}

describe('the compiled-reads catalogue', () => {
  let schema: GraphQLSchema;
  let metadata: Metadata;
  let orm: Orm;
  let catalog: ObjectCatalog;
  const derive = () => objectCatalogOf(schema, orm.getMetadata(), metadata);
  beforeAll(async () => {
    schema = await buildAppSchema();
    metadata = getMetadataStorage();
    // Entity metadata only: discovery needs no database.
    orm = await MikroORM.init({
      ...ormOptions({ database: { driver: 'sqlite', file: ':memory:' } }),
      connect: false,
    });
    catalog = derive();
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('holds the declared types, each with columns', () => {
    expect(Object.keys(catalog)).toEqual(Object.keys(cataloguedTypes));
    for (const [type, entry] of Object.entries(catalog)) {
      expect(entry.entity).toBe(type);
      expect(entry.columns.length, type).toBeGreaterThan(0);
    }
  });

  it('lists only fields with no rule of their own: no resolver (but row loaders), no @Authorized, no middleware', () => {
    const problems = catalogued(catalog).flatMap(({ path, kind }) => {
      const guards = guardsOf(metadata, schema, path);
      const allowed = kind === 'column' ? [] : ['a field resolver'];
      const extra = guards.filter((guard) => !allowed.includes(guard));
      return extra.map((guard) => `${path}: ${guard}`);
    });
    expect(
      problems,
      'a catalogued field has a rule compiled reads would skip: objectCatalogOf must leave it out',
    ).toEqual([]);
  });

  it('answers a column field with the column itself, synchronously, for any viewer', () => {
    const context = { viewer: anonymousViewer };
    for (const { path, kind } of catalogued(catalog)) {
      if (kind !== 'column') {
        continue;
      }
      const [type, field] = path.split('.') as [string, string];
      const definition = (schema.getType(type) as GraphQLObjectType).getFields()[field]!;
      const probe = { [field]: `probe:${path}` } as Record<string, unknown>;
      // A middleware or an auth check would make this a promise; a resolver, another value.
      const value = definition.resolve
        ? definition.resolve(probe, {}, context, {} as GraphQLResolveInfo)
        : probe[field];
      expect(value, path).toBe(`probe:${path}`);
    }
  });

  it('reaches its root fields through resolvers with no @Authorized rule or middleware', () => {
    const roots = [
      ...Object.keys(lookupCatalog),
      ...Object.keys(connectionCatalog),
      ...Object.keys(dataCatalog),
    ];
    const problems = roots.flatMap((name) => {
      const query = metadata.queries.find((resolver) => resolver.schemaName === name);
      if (!query) {
        return [`Query.${name}: not a query`];
      }
      return [
        ...(query.roles ? [`Query.${name}: @Authorized`] : []),
        ...(query.middlewares?.length ? [`Query.${name}: a middleware`] : []),
        ...(metadata.authorizedResolver.some((it) => it.target === query.target)
          ? [`Query.${name}: @Authorized on its resolver class`]
          : []),
        ...(metadata.resolverMiddlewares.some((it) => it.target === query.target)
          ? [`Query.${name}: a middleware on its resolver class`]
          : []),
      ];
    });
    expect(problems).toEqual([]);
  });

  it.each([
    ['Municipality.ibgeCode', 'column', 'a String column'],
    ['Municipality.population', 'column', 'an Int column, nullable as the field is'],
    ['Municipality.isCapital', 'column', 'a Boolean (0/1 in SQLite, written back as a boolean)'],
    ['Municipality.nameAsOf', 'column', 'a LocalDate, stored as ISO text'],
    ['Municipality.sizeClass', 'column', 'an enum stored by its GraphQL names'],
    ['Municipality.version', 'column', 'a column every row carries (Versioned)'],
    ['Mandate.endDate', 'column', 'a nullable LocalDate'],
    ['Municipality.latitude', 'none', 'a float: the databases print doubles unlike graphql-js'],
    ['Municipality.createdAt', 'none', 'a timestamp: graphql-js writes the Date, not the column'],
    ['Municipality.deletedAt', 'none', 'a timestamp'],
    ['Municipality.id', 'none', 'the global id, read from globalId rather than the id column'],
    ['Person.email', 'none', 'personal data: a field resolver asks who may read it'],
    ['Person.phone', 'none', 'personal data'],
    ['Municipality.sizeClassCoarse', 'none', 'a field resolver computing a label'],
    ['State.regionName', 'none', 'a field resolver computing a label'],
    ['Municipality.nameHistory', 'none', 'a connection, with arguments'],
    [
      'Municipality.macroregion',
      'none',
      'arguments, and its resolver falls back from the region’s macroregion to the column',
    ],
    ['Mandate.organization', 'none', 'a many-to-one to a type not in the catalogue'],
    ['Mandate.healthRegions', 'none', 'a many-to-many'],
    ['Municipality.state', 'toOne', 'a many-to-one whose resolver loads the row'],
    ['Municipality.healthRegion', 'toOne', 'declared: the row when asked without asOf'],
    ['HealthRegion.seatMunicipality', 'toOne', 'a many-to-one whose resolver loads the row'],
    ['Mandate.person', 'toOne', 'a many-to-one whose resolver loads the row'],
    ['Mandate.state', 'toOne', 'a nullable many-to-one'],
    ['Municipality.gestor', 'inForce', 'declared: a mandate in force'],
  ] as [string, Kind, string][])('takes %s as %s: %s', (path, kind) => {
    const [type, field] = path.split('.') as [string, string];
    expect((schema.getType(type) as GraphQLObjectType).getFields()[field], path).toBeDefined();
    expect(kindOf(catalog, type, field)).toBe(kind);
  });

  it('drops a field that gains a resolver, a rule or a middleware', () => {
    const path = 'Person.name';
    const person = lineage(metadata, 'Person')[0]!;
    const field = metadata.fields.find((it) => it.schemaName === 'name' && it.target === person)!;
    const saved = { roles: field.roles, middlewares: field.middlewares };
    const resolver = {
      kind: 'internal',
      methodName: 'name',
      schemaName: 'name',
      target: person,
      getObjectType: () => person,
      complexity: undefined,
    } as Metadata['fieldResolvers'][number];
    const changes: [string, () => void][] = [
      ['@Authorized(EDITOR) on the field', () => (field.roles = ['EDITOR'])],
      ['@Authorized() on the field', () => (field.roles = [])],
      ['a middleware on the field', () => (field.middlewares = [async (_data, next) => next()])],
      ['a field resolver', () => metadata.fieldResolvers.push(resolver)],
    ];
    try {
      for (const [guard, change] of changes) {
        change();
        expect(guardsOf(metadata, schema, path), guard).toContain(guard);
        expect(kindOf(derive(), 'Person', 'name'), guard).toBe('none');
        field.roles = saved.roles;
        field.middlewares = saved.middlewares;
        metadata.fieldResolvers = metadata.fieldResolvers.filter((it) => it !== resolver);
      }
    } finally {
      field.roles = saved.roles;
      field.middlewares = saved.middlewares;
      metadata.fieldResolvers = metadata.fieldResolvers.filter((it) => it !== resolver);
    }
    expect(guardsOf(metadata, schema, path)).toEqual([]);
    expect(kindOf(derive(), 'Person', 'name')).toBe('column');
  });
});
