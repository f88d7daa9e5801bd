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
    loader = new DataLoader<K, V>(batch, { maxBatchSize: 5_000 }) as DataLoader<unknown, unknown>;
    loaders.set(name, loader);
  }
  return loader as DataLoader<K, V>;
}
