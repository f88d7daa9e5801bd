import DataLoader from 'dataloader';
import type { GraphQLContext } from './context';

const loadersByContext = new WeakMap<object, Map<string, DataLoader<unknown, unknown>>>();

/**
 * A request-scoped DataLoader per name: field resolvers that are not plain ORM references
 * (e.g. "the gestor on a date") batch through here so statements stay constant per request.
 */
export function requestLoader<K, V>(
  context: GraphQLContext,
  name: string,
  batch: (keys: readonly K[]) => Promise<(V | Error)[]>,
): DataLoader<K, V> {
  let loaders = loadersByContext.get(context);
  if (!loaders) {
    loaders = new Map();
    loadersByContext.set(context, loaders);
  }
  let loader = loaders.get(name);
  if (!loader) {
    // As large as the default maximum page (10,000), so a page of any legal size is one batch:
    // all 5,571 municipalities with their gestor are 2 statements, not 3.
    loader = new DataLoader<K, V>(batch, { maxBatchSize: 10_000 }) as DataLoader<unknown, unknown>;
    loaders.set(name, loader);
  }
  return loader as DataLoader<K, V>;
}
