import {
  AFTER_VARIABLE,
  FIRST_VARIABLE,
  flattenNode,
  readPage,
  type Cell,
} from '../../api/src/queries/query-paging';
import { chunkText } from './batching';
import { AddonError, translate, type Locale } from './i18n';
import { pagedOrError, savedQueryByName } from './pull';
import { client, currentLocale } from './services';

/** Cached lookups live 10 minutes; pieces stay under the 100 KB cache value limit. */
const CACHE_SECONDS = 600;
const CACHE_PIECE = 90_000;
/** Custom functions die at 30 s; stop paging well before. */
const CUSTOM_FUNCTION_BUDGET_MS = 20_000;
const MAX_LOOKUP_ROWS = 5_000;

function cached<T>(key: string, compute: () => T): T {
  const cache = CacheService.getUserCache() ?? CacheService.getScriptCache();
  const head = cache.get(key);
  if (head !== null) {
    const count = Number(head);
    const keys = Array.from({ length: count }, (_, index) => `${key}:${index}`);
    const pieces = cache.getAll(keys);
    if (keys.every((piece) => piece in pieces)) {
      return JSON.parse(keys.map((piece) => pieces[piece]).join('')) as T;
    }
  }
  const value = compute();
  const pieces = chunkText(JSON.stringify(value), CACHE_PIECE);
  const entries: Record<string, string> = { [key]: String(pieces.length) };
  pieces.forEach((piece, index) => {
    entries[`${key}:${index}`] = piece;
  });
  cache.putAll(entries, CACHE_SECONDS);
  return value;
}

function errorText(locale: Locale, error: unknown): string {
  const message = error instanceof AddonError ? error.render(locale) : (error as Error).message;
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
  const locale = currentLocale();
  try {
    const code = String(ibgeCode ?? '').trim();
    const path = String(field ?? 'name').trim();
    if (!FIELD_PATH.test(path)) {
      throw new AddonError('errUnknownField', { field: path });
    }
    return cached(`m:${code}:${path}`, () => {
      const data = client().request<{ municipality: Record<string, unknown> | null }>(
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
 * `=REDE_CONSULTA("Municípios RS"; "uf"; "RS")`: a saved query's rows as a 2-D array (header
 * first), variables given as name/value pairs. For small tables: big ones belong in a bound table.
 */
export function redeConsulta(name: unknown, ...pairs: unknown[]): Cell[][] {
  const locale = currentLocale();
  try {
    const queryName = String(name ?? '').trim();
    const variables: Record<string, unknown> = {};
    for (let index = 0; index + 1 < pairs.length; index += 2) {
      const value = pairs[index + 1];
      variables[String(pairs[index])] =
        typeof value === 'string' && /^\[.*\]$|^\{.*\}$/.test(value) ? JSON.parse(value) : value;
    }
    return cached(`q:${queryName}:${JSON.stringify(variables)}`, () => {
      const started = Date.now();
      const saved = savedQueryByName(queryName);
      const paged = pagedOrError(saved.query);
      const graphql = client();
      const rows: Cell[][] = [paged.columns];
      let after: string | null = null;
      for (;;) {
        const data = graphql.request<Record<string, unknown>>(paged.text, {
          ...(saved.variables ?? {}),
          ...variables,
          [AFTER_VARIABLE]: after,
          [FIRST_VARIABLE]: 1000,
        });
        const page = readPage(data, paged.connectionPath);
        rows.push(...page.nodes.map((node) => flattenNode(node, paged.columns)));
        if (!page.hasNextPage || !page.endCursor || rows.length > MAX_LOOKUP_ROWS) {
          break;
        }
        if (Date.now() - started > CUSTOM_FUNCTION_BUDGET_MS) {
          throw new AddonError('errTooLong', { seconds: CUSTOM_FUNCTION_BUDGET_MS / 1000 });
        }
        after = page.endCursor;
      }
      return rows;
    });
  } catch (error) {
    return [[errorText(locale, error)]];
  }
}
