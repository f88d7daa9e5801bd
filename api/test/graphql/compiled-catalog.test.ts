import { MikroORM } from '@mikro-orm/core';
import { GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMetadataStorage } from 'type-graphql';
import { anonymousViewer } from '../../src/auth/viewer';
import { ormOptions, type Orm } from '../../src/db/orm';
import {
  connectionCatalog,
  dataCatalog,
  lookupCatalog,
  objectCatalog,
  objectCatalogOf,
  type ObjectCatalog,
} from '../../src/graphql/compiled/catalog';
import { buildAppSchema } from '../../src/graphql/schema';

/**
 * Compiled reads answer catalogued fields straight from SQL, without running their resolvers,
 * middlewares or `@Authorized` rules. So a catalogued field must have none of those — or a rule
 * added to it later (a contact field, a per-viewer mask) would be skipped on the compiled path.
 * The only resolvers allowed are the ones below, which load the related row and nothing else
 * (the compiled-reads equivalence test checks they answer alike); adding one here is a decision.
 */
const rowLoaders = new Set([
  'Municipality.state',
  'Municipality.healthRegion',
  'Municipality.gestor',
  'Municipality.mayor',
  'HealthRegion.state',
  'HealthRegion.macroregion',
  'HealthMacroregion.state',
  'Mandate.person',
]);

type Metadata = ReturnType<typeof getMetadataStorage>;
/** A decorated class, as type-graphql's metadata names it. */
type ClassTarget = Metadata['fields'][number]['target'];

function catalogued(): string[] {
  return Object.entries(objectCatalog).flatMap(([type, entry]) =>
    [...entry.columns, ...entry.toOne, ...Object.keys(entry.inForce ?? {})].map(
      (field) => `${type}.${field}`,
    ),
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
      if (meta.roles?.length) {
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
    if (resolver.roles?.length) {
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
  beforeAll(async () => {
    schema = await buildAppSchema();
    metadata = getMetadataStorage();
  });

  it('lists only fields with no rule of their own: no resolver (but the row loaders), no @Authorized, no middleware', () => {
    const problems = catalogued().flatMap((path) => {
      const guards = guardsOf(metadata, schema, path);
      const allowed = rowLoaders.has(path) ? ['a field resolver'] : [];
      const extra = guards.filter((guard) => !allowed.includes(guard));
      return extra.map((guard) => `${path}: ${guard}`);
    });
    expect(
      problems,
      'a catalogued field gained a rule compiled reads would skip: take it out of catalog.ts, or make the rule part of the SQL',
    ).toEqual([]);
    // Every allowed loader is still a catalogued field (the list cannot hide a stale entry).
    expect([...rowLoaders].filter((path) => !catalogued().includes(path))).toEqual([]);
  });

  it('answers a column field with the column itself, synchronously, for any viewer', () => {
    const context = { viewer: anonymousViewer };
    for (const path of catalogued()) {
      const [type, field] = path.split('.') as [string, string];
      if (rowLoaders.has(path)) {
        continue;
      }
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
        ...(query.roles?.length ? [`Query.${name}: @Authorized`] : []),
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

  it('would notice: a catalogued field given a resolver, a rule or a middleware is reported', () => {
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
    try {
      field.roles = ['EDITOR'];
      field.middlewares = [async (_data, next) => next()];
      metadata.fieldResolvers.push(resolver);
      expect(guardsOf(metadata, schema, path)).toEqual([
        '@Authorized(EDITOR) on the field',
        'a middleware on the field',
        'a field resolver',
      ]);
    } finally {
      field.roles = saved.roles;
      field.middlewares = saved.middlewares;
      metadata.fieldResolvers.splice(metadata.fieldResolvers.indexOf(resolver), 1);
    }
    expect(guardsOf(metadata, schema, path)).toEqual([]);
  });
});

describe('the derived compiled-reads catalogue', () => {
  let orm: Orm;
  let derived: ObjectCatalog;
  beforeAll(async () => {
    // Entity metadata only: discovery needs no database.
    orm = await MikroORM.init({
      ...ormOptions({ database: { driver: 'sqlite', file: ':memory:' } }),
      connect: false,
    });
    derived = objectCatalogOf(await buildAppSchema(), orm.getMetadata());
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('lists the hand-written columns and to-one rows, and four fields more', () => {
    // Fields the hand list lacks, answered alike on both databases (compiled-reads.test.ts).
    const added: Record<string, { columns?: string[]; toOne?: string[] }> = {
      Municipality: { columns: ['nameAsOf'] },
      HealthRegion: { toOne: ['seatMunicipality'] },
      Mandate: { toOne: ['state', 'municipality'] },
    };
    const sorted = (fields: readonly string[]) => [...fields].sort();
    expect(Object.keys(derived).sort()).toEqual(Object.keys(objectCatalog).sort());
    for (const [type, hand] of Object.entries(objectCatalog)) {
      const entry = derived[type]!;
      expect(entry.entity, type).toBe(hand.entity);
      expect(sorted(entry.columns), `${type} columns`).toEqual(
        sorted([...hand.columns, ...(added[type]?.columns ?? [])]),
      );
      expect(sorted(entry.toOne), `${type} toOne`).toEqual(
        sorted([...hand.toOne, ...(added[type]?.toOne ?? [])]),
      );
      expect(entry.inForce, `${type} inForce`).toEqual(hand.inForce ?? {});
    }
  });
});
