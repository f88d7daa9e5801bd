import {
  LoadStrategy,
  type EntityName,
  type FilterQuery,
  type QueryOrderMap,
} from '@mikro-orm/core';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { AppConfig } from '../config';
import type { GraphQLContext } from './context';
import { BadUserInputError } from './errors';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: 'Return the first N items (after `after`).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Opaque cursor: return items after it.' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Return the last N items (before `before`).' })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Opaque cursor: return items before it.' })
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** The shape every `XConnection` type shares; `totalCount` is counted only when asked for. */
export interface ConnectionShape<T> {
  edges: Edge<T>[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/** Builds the fields of `XConnection` and the `XEdge` type of a node type, named after it. */
export function Connection<T extends object>(nodeType: ClassType<T>, name = nodeType.name) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  // Never reachable itself, so never emitted: `@ObjectType() class XConnection extends Connection(X)`
  // inherits its fields and gives the type its name.
  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType])
    edges!: Edge<T>[];

    @Field(() => [nodeType], { description: 'The nodes of `edges`, without cursors.' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    countTotal!: () => Promise<number>;

    @Field(() => Int, { description: 'Items matching the filter, across all pages.' })
    totalCount(): Promise<number> {
      return this.countTotal();
    }
  }
  return ConnectionType;
}

const CURSOR_PREFIX = 'o:';

export function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, argument: string): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^o:(\d{1,9})$/.exec(decoded);
  if (!match || Buffer.from(decoded, 'utf8').toString('base64url') !== cursor) {
    throw new BadUserInputError(
      `\`${argument}\` is not a valid cursor; pass a \`cursor\` or \`pageInfo\` cursor returned by this connection`,
      { argument },
    );
  }
  return Number(match[1]);
}

/** The window of a connection request, validated: which rows (offset, limit) to read. */
export interface PageWindow {
  offset: number;
  limit: number;
  /** When paging backwards without `before`, the end is the total count, read first. */
  needsTotalForEnd: boolean;
  lastCount: number | null;
  beforeOffset: number | null;
}

export function pageWindow(args: ConnectionArgs, limits: AppConfig['limits']): PageWindow {
  const { first, last, after, before } = args;
  for (const [argument, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (value === null || value === undefined) {
      continue;
    }
    if (value < 0) {
      throw new BadUserInputError(`\`${argument}\` must be 0 or more (got ${value})`, { argument });
    }
    if (value > limits.maxPageSize) {
      throw new BadUserInputError(
        `\`${argument}\` is over the maximum page size of ${limits.maxPageSize} (got ${value}); page with \`after\`/\`before\``,
        { argument, maxPageSize: limits.maxPageSize },
      );
    }
  }
  if (first != null && last != null) {
    throw new BadUserInputError('Pass either `first` or `last`, not both', { argument: 'first' });
  }
  const start = after != null ? decodeCursor(after, 'after') + 1 : 0;
  const beforeOffset = before != null ? decodeCursor(before, 'before') : null;
  if (last != null) {
    return {
      offset: start,
      limit: last,
      needsTotalForEnd: beforeOffset === null,
      lastCount: last,
      beforeOffset,
    };
  }
  const pageSize = first ?? limits.defaultPageSize;
  const limit =
    beforeOffset !== null ? Math.max(0, Math.min(pageSize, beforeOffset - start)) : pageSize;
  return { offset: start, limit, needsTotalForEnd: false, lastCount: null, beforeOffset };
}

/** Find options that load the selected to-one relations with joins, in the rows' own statement. */
export function joined(populate: readonly string[] | undefined) {
  return populate?.length
    ? { populate: populate as never, strategy: LoadStrategy.JOINED as const }
    : {};
}

/** The `pageInfo` of `count` rows read from `offset`: resolvers and compiled reads both use it. */
export function pageInfoOf(offset: number, count: number, hasNextPage: boolean): PageInfo {
  return {
    hasNextPage,
    hasPreviousPage: offset > 0,
    startCursor: count > 0 ? encodeCursor(offset) : null,
    endCursor: count > 0 ? encodeCursor(offset + count - 1) : null,
  };
}

/** What a connection reads: rows of `entity` matching `where`, in `orderBy`, paged by `args`. */
export interface ConnectionQuery<T extends object> {
  entity: EntityName<T>;
  where: FilterQuery<T>;
  orderBy: QueryOrderMap<T>[];
  args: ConnectionArgs;
  /** To-one relations to load with joins in the page's statement (see `selectedToOneRelations`). */
  populate?: readonly string[];
}

/**
 * The one pagination helper: a page of the query as an instance of the connection type `type`,
 * read with the request's entity manager within its page limits. Offset cursors over a stable
 * order (every order ends with the primary key), one statement for the page, one more for
 * `totalCount` only when it is selected.
 */
export async function connectionOf<
  C extends ConnectionShape<T> & { countTotal: () => Promise<number> },
  T extends object,
>(
  type: ClassType<C>,
  { em, config }: Pick<GraphQLContext, 'em' | 'config'>,
  { entity, where, orderBy, args, populate }: ConnectionQuery<T>,
): Promise<C> {
  const window = pageWindow(args, config.limits);
  let total: Promise<number> | null = null;
  const countTotal = () => (total ??= em.count(entity, where));

  let offset = window.offset;
  let limit = window.limit;
  if (window.lastCount !== null) {
    const end = window.beforeOffset ?? (await countTotal());
    offset = Math.max(window.offset, end - window.lastCount);
    limit = Math.max(0, end - offset);
  }
  const rowLimit = window.lastCount === null ? limit + 1 : limit;
  const rows =
    limit === 0
      ? []
      : await em.find(entity, where, {
          orderBy,
          offset,
          limit: rowLimit,
          ...joined(populate),
        });
  const hasMore = window.lastCount === null && rows.length > limit;
  const nodes = hasMore ? rows.slice(0, limit) : rows;
  // Edges (one cursor per row) are built only when the query selects them: the add-on's pull
  // asks for `nodes` of 5,571 rows and would otherwise encode 5,571 cursors for nothing.
  let edges: Edge<T>[] | undefined;
  const shape: ConnectionShape<T> = {
    get edges() {
      return (edges ??= nodes.map((node, index) => ({
        cursor: encodeCursor(offset + index),
        node,
      })));
    },
    nodes,
    pageInfo: pageInfoOf(
      offset,
      nodes.length,
      window.lastCount === null ? hasMore : window.beforeOffset !== null,
    ),
    totalCount: countTotal,
  };
  // An instance of the connection type, from property descriptors, not a spread: a lazy `edges`
  // getter stays lazy.
  const connection = Object.defineProperties(new type(), Object.getOwnPropertyDescriptors(shape));
  connection.countTotal = countTotal;
  return connection;
}
