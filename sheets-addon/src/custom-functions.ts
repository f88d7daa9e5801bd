import {
  AFTER_VARIABLE,
  FIRST_VARIABLE,
  flattenNode,
  readPage,
  type Cell,
} from '../../api/src/saved-queries/query-paging';
import { chunkUtf8 } from './batching';
import { HUB_URL } from './build-info';
import { customFunctionDeadline } from './execution';
import { HubError } from './graphql-client';
import { AddonError, describeError, translate, type Locale } from './i18n';
import { pathLabel } from './labels';
import { countRows, pagedOrError, savedQueryByName } from './pull';
import { readerClient, readerKey, spreadsheetLocale } from './services';

/**
 * `=REDE_MUNICIPIO` and `=REDE_CONSULTA`. Google runs a custom function without the caller's
 * authorization, and its user properties are those of the effective user (the spreadsheet's
 * owner), not of the person who typed the formula — so a formula must never read with a
 * person's key. They read with the document's reader key (a READER key someone set in the
 * sidebar; every editor's formulas use it) or, without one, anonymously (when the server allows
 * anonymous reads). Results are cached per document for 10 minutes under a hashed key that
 * includes the hub and the reader key, in pieces under the 100 KB cache value limit.
 */
const CACHE_SECONDS = 600;
/** Bytes of UTF-8 per cache piece (the limit is 100 KB per value). */
const CACHE_PIECE_BYTES = 90 * 1024;
export const MAX_FORMULA_ROWS = 2000;
const PAGE = 500;

/** `rede:` + base64 of SHA-256 over the hub, the reader key and the call: 51 characters. */
export function cacheKey(parts: readonly unknown[]): string {
  const digest = Utilities.computeDigest(
    Utilities.DigestAlgorithm.SHA_256,
    JSON.stringify([HUB_URL, readerKey()?.key ?? null, ...parts]),
    Utilities.Charset.UTF_8,
  );
  return `rede:${Utilities.base64EncodeWebSafe(digest)}`;
}

function cached<T>(parts: readonly unknown[], compute: () => T): T {
  const cache = CacheService.getDocumentCache()!;
  const key = cacheKey(parts);
  const head = cache.get(key);
  if (head !== null) {
    const keys = Array.from({ length: Number(head) }, (_, index) => `${key}.${index}`);
    const pieces = cache.getAll(keys);
    if (keys.every((piece) => piece in pieces)) {
      return JSON.parse(keys.map((piece) => pieces[piece]).join('')) as T;
    }
  }
  const value = compute();
  const pieces = chunkUtf8(JSON.stringify(value), CACHE_PIECE_BYTES);
  const entries: Record<string, string> = { [key]: String(pieces.length) };
  pieces.forEach((piece, index) => {
    entries[`${key}.${index}`] = piece;
  });
  cache.putAll(entries, CACHE_SECONDS);
  return value;
}

function errorText(locale: Locale, error: unknown): string {
  const unauthenticated = error instanceof HubError && error.code === 'UNAUTHENTICATED';
  const message =
    unauthenticated && !readerKey()
      ? translate(locale, 'errNeedsReaderToken')
      : describeError(locale, error);
  return translate(locale, 'errorPrefix', { message });
}

const FIELD_PATH = /^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)*$/;

/** `healthRegion.macroregion.name` → `healthRegion { macroregion { name } }`. */
export function selectionFor(path: string): string {
  const parts = path.split('.');
  return parts.reduceRight((inner, part) => (inner ? `${part} { ${inner} }` : part), '');
}

/** `=REDE_MUNICIPIO("4314902"; "population")`: one field of one municipality. */
export function redeMunicipio(ibgeCode: unknown, field: unknown = 'name'): Cell {
  const locale = spreadsheetLocale();
  try {
    const code = String(ibgeCode ?? '').trim();
    const path = String(field ?? 'name').trim();
    if (!FIELD_PATH.test(path)) {
      throw new AddonError('errUnknownField', { field: path });
    }
    return cached(['municipality', code, path], () => {
      const data = readerClient(locale).request<{
        municipality: Record<string, unknown> | null;
      }>(
        `query RedeMunicipio($code: String!) { municipality(ibgeCode: $code) { ${selectionFor(path)} } }`,
        { code },
      );
      if (!data.municipality) {
        throw new AddonError('errNotFound', { what: code });
      }
      return flattenNode(data.municipality, [path])[0] ?? null;
    });
  } catch (error) {
    return errorText(locale, error);
  }
}

/**
 * `=REDE_CONSULTA("Municípios RS"; "uf"; "RS")`: a saved query's rows as a 2-D array (Portuguese
 * header first), variables as name/value pairs. For small tables: past 2,000 rows, or when the
 * 30-second limit draws near, the result ends with a visible "truncated" row.
 */
export function redeConsulta(name: unknown, ...pairs: unknown[]): Cell[][] {
  const locale = spreadsheetLocale();
  const deadline = customFunctionDeadline();
  try {
    const queryName = String(name ?? '').trim();
    const variables: Record<string, unknown> = {};
    for (let index = 0; index + 1 < pairs.length; index += 2) {
      const value = pairs[index + 1];
      variables[String(pairs[index])] =
        typeof value === 'string' && /^\[.*\]$|^\{.*\}$/.test(value) ? JSON.parse(value) : value;
    }
    return cached(['query', queryName, variables], () => {
      const graphql = readerClient(locale);
      const saved = savedQueryByName(graphql, queryName);
      const paged = pagedOrError(saved.query);
      const all = { ...(saved.variables ?? {}), ...variables };
      const rows: Cell[][] = [paged.columns.map(pathLabel)];
      let after: string | null = null;
      let pageMs = 0;
      for (;;) {
        const started = Date.now();
        const data = graphql.request<Record<string, unknown>>(paged.text, {
          ...all,
          [AFTER_VARIABLE]: after,
          [FIRST_VARIABLE]: Math.min(PAGE, MAX_FORMULA_ROWS + 1 - (rows.length - 1)),
        });
        pageMs = Math.max(pageMs, Date.now() - started);
        const page = readPage(data, paged.connectionPath);
        rows.push(...page.nodes.map((node) => flattenNode(node, paged.columns)));
        const more = page.hasNextPage && !!page.endCursor;
        if (rows.length - 1 > MAX_FORMULA_ROWS) {
          rows.length = MAX_FORMULA_ROWS + 1;
          const total = countRows(graphql, { paged, variables: all });
          return withNotice(
            rows,
            translate(locale, 'truncatedRows', {
              rows: MAX_FORMULA_ROWS,
              total: total ?? `${MAX_FORMULA_ROWS}+`,
            }),
          );
        }
        if (!more) {
          return rows;
        }
        if (!deadline.allows(pageMs * 1.5)) {
          return withNotice(rows, translate(locale, 'truncatedTime', { rows: rows.length - 1 }));
        }
        after = page.endCursor;
      }
    });
  } catch (error) {
    return [[errorText(locale, error)]];
  }
}

/** The rows plus one last row saying what is missing (as wide as the table). */
function withNotice(rows: Cell[][], notice: string): Cell[][] {
  const width = rows[0]?.length ?? 1;
  return [...rows, [notice, ...new Array<Cell>(Math.max(width - 1, 0)).fill('')]];
}
