import { type FilterQuery } from '@mikro-orm/core';
import { type GraphQLSchema } from 'graphql';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Role } from '../auth/auth.enums';
import { hasRole, inScope } from '../auth/policy';
import { type Viewer } from '../auth/viewer';
import type { Em } from '../db/orm';
import { touchLastUsed } from '../auth/last-used';
import type { AppConfig } from '../config';
import {
  AppError,
  BadUserInputError,
  ErrorCode,
  ForbiddenError,
  NotFoundError,
} from '../graphql/errors';
import { queryRules } from '../security/query-rules';
import { currentDeadline } from '../security/request-deadline';
import { validUf } from '../territory/territory.validation';
import { ExportToken } from './export-token.entity';
import {
  AFTER_VARIABLE,
  FIRST_VARIABLE,
  QueryShapeError,
  flattenNode,
  preparePagedQuery,
  readPage,
  type Cell,
  type PagedQuery,
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

/** Whether `viewer` may change (and see the CSV links of) a query shared with `stateUf`. */
export function canEditQuery(viewer: Viewer, stateUf: string | null | undefined): boolean {
  return hasRole(viewer, Role.EDITOR) && inScope(viewer, stateUf ?? null);
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
 * A saved query must be one `query` that `/graphql` would accept — the same document guard,
 * graphql-armor limits, page-size rule and cost limit, for the text as written and for the paged
 * text that the add-on and the CSV link actually send — and must hold a connection (it becomes a
 * table in Sheets and a CSV); the error says where it went wrong.
 */
export function validQueryText(
  schema: GraphQLSchema,
  config: AppConfig,
  text: string,
  variables: Record<string, unknown> | null | undefined,
): string {
  const rules = queryRules(config);
  const refuse = (problem: string) =>
    new BadUserInputError(`\`query\` is not usable: ${problem}`, { argument: 'query' });
  const problem = rules.checkText(schema, text);
  if (problem) {
    throw refuse(problem);
  }
  let paged: PagedQuery;
  try {
    paged = preparePagedQuery(text);
  } catch (error) {
    if (error instanceof QueryShapeError) {
      throw refuse(error.message);
    }
    throw error;
  }
  const pagedProblem = rules.checkText(schema, paged.text, variables);
  if (pagedProblem) {
    throw refuse(`as paged for Sheets and CSV links, ${pagedProblem}`);
  }
  return text;
}

export interface QueryTable {
  columns: string[];
  rows: Cell[][];
  pages: number;
}

/** Runs one page of a query as `/graphql` would answer it (Apollo's `executeOperation`). */
export type PageExecutor = (
  query: string,
  variables: Record<string, unknown>,
) => Promise<{ data?: unknown; errors?: readonly { message: string }[] }>;

/**
 * Runs a saved query to the end of its first connection, page by page, through `execute`, and
 * flattens the nodes into rows. The paged text is checked first against the same rules as a
 * request to `/graphql` (the query may have been saved under looser limits), and the run stops
 * when the request's deadline passes. Errors of the query itself become a `BadUserInputError`.
 */
export async function runQueryTable(
  schema: GraphQLSchema,
  config: AppConfig,
  execute: PageExecutor,
  text: string,
  variables: Record<string, unknown>,
  maxRows = EXPORT_MAX_ROWS,
): Promise<QueryTable> {
  let paged: PagedQuery;
  try {
    paged = preparePagedQuery(text);
  } catch (error) {
    if (error instanceof QueryShapeError) {
      throw new BadUserInputError(`The saved query is not usable: ${error.message}`);
    }
    throw error;
  }
  const problem = queryRules(config).checkText(schema, paged.text, variables);
  if (problem) {
    throw new BadUserInputError(`The saved query is refused: ${problem}`);
  }
  const rows: Cell[][] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    if (currentDeadline()?.state.phase === 'abandoned') {
      throw new AppError(ErrorCode.Timeout, 'The export passed its deadline');
    }
    const result = await execute(paged.text, {
      ...variables,
      [AFTER_VARIABLE]: after,
      [FIRST_VARIABLE]: EXPORT_PAGE_SIZE,
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

/** When a link stops working for want of use (its last use, or creation, plus the idle days). */
export function exportTokenExpiry(token: ExportToken, idleDays: number): Date | null {
  return idleDays === 0
    ? null
    : new Date((token.lastUsedAt ?? token.createdAt).getTime() + idleDays * 86_400_000);
}

export type ExportTokenCheck =
  | { status: 'valid'; token: ExportToken }
  | { status: 'expired'; token: ExportToken }
  | { status: 'invalid' };

/**
 * The live token row for `token` on saved query `savedQueryId`: valid (its use is recorded, once
 * an hour at most), expired (unused for `idleDays`), or invalid (unknown, revoked, another query's).
 */
export async function checkExportToken(
  em: Em,
  savedQueryId: number,
  token: string,
  idleDays: number,
  now = new Date(),
): Promise<ExportTokenCheck> {
  const row = await verifyExportToken(em, savedQueryId, token);
  if (!row) {
    return { status: 'invalid' };
  }
  const expiry = exportTokenExpiry(row, idleDays);
  if (expiry && expiry <= now) {
    return { status: 'expired', token: row };
  }
  void touchLastUsed(em, ExportToken, row, now);
  return { status: 'valid', token: row };
}

/** The live token row for `token` on saved query `savedQueryId`, or null. */
async function verifyExportToken(
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
