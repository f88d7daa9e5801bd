import { type FilterQuery } from '@mikro-orm/core';
import { execute, validate, type GraphQLSchema } from 'graphql';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Role } from '../auth/auth.enums';
import { hasRole, inScope } from '../auth/policy';
import { type Viewer } from '../auth/viewer';
import type { Em } from '../db/orm';
import { type GraphQLContext } from '../graphql/context';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../graphql/errors';
import { validUf } from '../territory/territory.validation';
import { ExportToken } from './export-token.entity';
import {
  AFTER_VARIABLE,
  FIRST_VARIABLE,
  QueryShapeError,
  flattenNode,
  parseQuery,
  preparePagedQuery,
  readPage,
  singleQueryOperation,
  type Cell,
} from './query-paging';
import { SavedQuery } from './saved-query.entity';

/** Rows read per page when a saved query is run to the end (CSV export). */
export const EXPORT_PAGE_SIZE = 1000;
/** A CSV link never carries more rows than this (the whole territory is 5,571). */
export const EXPORT_MAX_ROWS = 100_000;

/** Who may see a saved query: national ones everyone, a state's ones that state's keys. */
export function visibleQueriesWhere(viewer: Viewer): FilterQuery<SavedQuery> {
  if (viewer.kind === 'anonymous') {
    return { deletedAt: null, stateUf: null };
  }
  if (viewer.role === Role.ADMIN || viewer.stateUf === null) {
    return { deletedAt: null };
  }
  return { deletedAt: null, $or: [{ stateUf: null }, { stateUf: viewer.stateUf }] };
}

export function canSeeQuery(viewer: Viewer, query: SavedQuery): boolean {
  if (query.stateUf === null || query.stateUf === undefined) {
    return true;
  }
  return viewer.kind !== 'anonymous' && inScope(viewer, query.stateUf);
}

/** Editors change queries of their state; national ones need an unscoped key or an admin. */
export function assertCanEdit(viewer: Viewer, stateUf: string | null | undefined): void {
  if (!hasRole(viewer, Role.EDITOR)) {
    throw new ForbiddenError('Saving queries needs an EDITOR or ADMIN key');
  }
  if (!inScope(viewer, stateUf ?? null)) {
    throw new ForbiddenError(
      stateUf
        ? `This key may not change queries shared with ${stateUf}`
        : 'Only an unscoped key may change national queries; set `stateUf` to your state',
      { argument: 'stateUf' },
    );
  }
}

export async function findVisibleQuery(em: Em, viewer: Viewer, name: string): Promise<SavedQuery> {
  const query = await em.findOne(SavedQuery, { name: name.trim(), deletedAt: null });
  if (!query || !canSeeQuery(viewer, query)) {
    throw new NotFoundError(`No saved query named "${name}"`, { argument: 'name' });
  }
  return query;
}

export function validName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 200) {
    throw new BadUserInputError('`name` must have 1 to 200 characters', { argument: 'name' });
  }
  return name;
}

export function validStateUf(raw: string | null | undefined): string | null {
  return raw === null || raw === undefined || raw.trim() === '' ? null : validUf(raw, 'stateUf');
}

/**
 * A saved query must be one `query` the schema accepts and must hold a connection (it becomes a
 * table in Sheets and a CSV); the error says where it went wrong.
 */
export function validQueryText(schema: GraphQLSchema, text: string): string {
  try {
    const document = parseQuery(text);
    singleQueryOperation(document);
    const problems = validate(schema, document);
    if (problems.length > 0) {
      const first = problems[0]!;
      const where = first.locations?.[0];
      throw new QueryShapeError(
        `${where ? `line ${where.line}, column ${where.column}: ` : ''}${first.message}`,
      );
    }
    preparePagedQuery(text);
    return text;
  } catch (error) {
    if (error instanceof QueryShapeError) {
      throw new BadUserInputError(`\`query\` is not usable: ${error.message}`, {
        argument: 'query',
      });
    }
    throw error;
  }
}

export interface QueryTable {
  columns: string[];
  rows: Cell[][];
  pages: number;
}

/**
 * Runs a saved query to the end of its first connection, page by page, as `context.viewer`, and
 * flattens the nodes into rows. Errors of the query itself become a `BadUserInputError`.
 */
export async function runQueryTable(
  schema: GraphQLSchema,
  context: GraphQLContext,
  text: string,
  variables: Record<string, unknown>,
  maxRows = EXPORT_MAX_ROWS,
): Promise<QueryTable> {
  const paged = preparePagedQuery(text);
  const document = parseQuery(paged.text);
  const rows: Cell[][] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const result = await execute({
      schema,
      document,
      contextValue: { ...context, em: context.em.fork() },
      variableValues: { ...variables, [AFTER_VARIABLE]: after, [FIRST_VARIABLE]: EXPORT_PAGE_SIZE },
    });
    pages += 1;
    if (result.errors?.length) {
      throw new BadUserInputError(
        `The saved query failed on page ${pages}: ${result.errors[0]!.message}`,
      );
    }
    const page = readPage(result.data, paged.connectionPath);
    for (const node of page.nodes) {
      rows.push(flattenNode(node, paged.columns));
    }
    if (rows.length > maxRows) {
      throw new BadUserInputError(
        `The saved query returns more than ${maxRows} rows; add a filter to it`,
      );
    }
    if (!page.hasNextPage || !page.endCursor) {
      break;
    }
    after = page.endCursor;
  }
  return { columns: paged.columns, rows, pages };
}

const TOKEN_PATTERN = /^rx_([a-z0-9]{10})_([A-Za-z0-9_-]{32,64})$/;

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Export tokens look like API keys (`rx_<prefix>_<secret>`) and are stored the same way. */
export function generateExportToken(): { token: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(8).toString('hex').slice(0, 10);
  const secret = randomBytes(24).toString('base64url');
  return { token: `rx_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/** The live token row for `token` on saved query `savedQueryId`, or null. */
export async function verifyExportToken(
  em: Em,
  savedQueryId: number,
  token: string,
): Promise<ExportToken | null> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) {
    return null;
  }
  const row = await em.findOne(
    ExportToken,
    { prefix: match[1]!, revokedAt: null, deletedAt: null, savedQuery: savedQueryId },
    { populate: ['savedQuery'] },
  );
  if (!row) {
    return null;
  }
  const expected = Buffer.from(row.secretHash, 'hex');
  const actual = Buffer.from(hashSecret(match[2]!), 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    return null;
  }
  return row;
}
