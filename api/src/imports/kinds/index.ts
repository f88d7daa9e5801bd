import type { ImportKind } from '../import.kind';
import {
  adhesionsKind,
  eventsKind,
  instrumentStatusesKind,
  mandatesKind,
  participationKind,
  peopleKind,
} from './entity.kinds';
import { healthRegionsKind, populationIbgeKind, territoryDatasusKind } from './territory.kinds';

/** Every kind the `import` command accepts, by name. */
export const importKinds: Record<string, ImportKind<unknown>> = Object.fromEntries(
  [
    territoryDatasusKind,
    healthRegionsKind,
    populationIbgeKind,
    peopleKind,
    mandatesKind,
    eventsKind,
    participationKind,
    adhesionsKind,
    instrumentStatusesKind,
  ].map((kind) => [kind.name, kind as ImportKind<unknown>]),
);
