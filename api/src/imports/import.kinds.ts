import type { ImportKind } from './import.kind';
import { eventsKind } from '../activity/event.import';
import { participationKind } from '../activity/participation.import';
import { mandatesKind } from '../people/mandate.import';
import { peopleKind } from '../people/person.import';
import { adhesionsKind } from '../programs/adhesion.import';
import { instrumentStatusesKind } from '../programs/instrument-status.import';
import { territoryDatasusKind } from '../territory/datasus.import';
import { healthRegionsKind } from '../territory/health-region.import';
import { populationIbgeKind } from '../territory/population-estimate.import';

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
