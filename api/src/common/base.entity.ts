import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, InterfaceType } from 'type-graphql';
import { toGlobalId } from './global-id';

/** Relay's `Node`: anything with a global id can be fetched back with `node(id:)`. */
@InterfaceType({
  description: 'An object with a global id, fetchable with `node(id:)`.',
  // Each entity class is its own GraphQL type, named after the class.
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  /**
   * Read from `globalId`: type-graphql lets an interface's fields win over those a class
   * inherits, so a field read from `id` would hand out the database row id instead.
   */
  @Field(() => ID, { name: 'id', description: 'Global, opaque id (type and row id).' })
  globalId!: string;
}

/**
 * Columns every row of the graph carries: a surrogate id, timestamps, an optimistic-lock
 * `version` (a stale version is a conflict, never a silent overwrite), a soft-delete marker and
 * the `source` that last wrote the row (an import, a client, the demo generator).
 * Every entity's object type implements it (and `Node`) and inherits its fields.
 */
@InterfaceType('Versioned', {
  implements: Node,
  description:
    'A row of the graph: global id, timestamps, optimistic-lock version, soft delete and source.',
  resolveType: (value: object) => value.constructor.name,
})
export abstract class BaseEntity {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'version' | 'deletedAt' | 'source' | 'globalId';

  /** Database row id; GraphQL exposes the global id instead (see `globalId`). */
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Field(() => ID, { name: 'id', description: 'Global, opaque id (type and row id).' })
  get globalId(): string {
    return toGlobalId(this.constructor.name, this.id);
  }

  @Field(() => Date)
  @Property({ type: 'datetime', onCreate: () => new Date() })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Field(() => Int, { description: 'Optimistic-lock version: send it back as `expectedVersion`.' })
  @Property({ type: 'integer', version: true })
  version: number = 1;

  @Field(() => Date, { nullable: true, description: 'Set when the row is soft-deleted.' })
  @Property({ type: 'datetime', nullable: true, index: true })
  deletedAt?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Which import or client last wrote the row.',
  })
  @Property({ type: 'string', length: 200, nullable: true })
  source?: string | null;
}
