import { registerEnumType } from 'type-graphql';

/** The five geographic regions IBGE groups the states into. */
export enum GeographicRegion {
  NORTE = 'NORTE',
  NORDESTE = 'NORDESTE',
  SUDESTE = 'SUDESTE',
  SUL = 'SUL',
  CENTRO_OESTE = 'CENTRO_OESTE',
}
registerEnumType(GeographicRegion, { name: 'GeographicRegion' });

/** IBGE's municipal population size classes. */
export enum SizeClass {
  UP_TO_5K = 'UP_TO_5K',
  FROM_5K_TO_10K = 'FROM_5K_TO_10K',
  FROM_10K_TO_20K = 'FROM_10K_TO_20K',
  FROM_20K_TO_50K = 'FROM_20K_TO_50K',
  FROM_50K_TO_100K = 'FROM_50K_TO_100K',
  FROM_100K_TO_500K = 'FROM_100K_TO_500K',
  OVER_500K = 'OVER_500K',
}
registerEnumType(SizeClass, {
  name: 'SizeClass',
  description:
    "IBGE's population size classes (≤5k, 5–10k, 10–20k, 20–50k, 50–100k, 100–500k, >500k).",
});

/** The coarse classes the RS profile uses: small (≤5k), medium (5–50k), large (>50k). */
export enum SizeClassCoarse {
  SMALL = 'SMALL',
  MEDIUM = 'MEDIUM',
  LARGE = 'LARGE',
}
registerEnumType(SizeClassCoarse, { name: 'SizeClassCoarse' });

/** Municipal management type of the health system, as the seed reports classify it. */
export enum ManagementType {
  APS_ONLY = 'APS_ONLY',
  PARTIAL_MEDIUM_COMPLEXITY = 'PARTIAL_MEDIUM_COMPLEXITY',
  FULL = 'FULL',
}
registerEnumType(ManagementType, {
  name: 'ManagementType',
  description: 'Primary care only, partial mid-complexity, or full ("gestão plena").',
});

const sizeClassUpperBounds: ReadonlyArray<[number, SizeClass]> = [
  [5_000, SizeClass.UP_TO_5K],
  [10_000, SizeClass.FROM_5K_TO_10K],
  [20_000, SizeClass.FROM_10K_TO_20K],
  [50_000, SizeClass.FROM_20K_TO_50K],
  [100_000, SizeClass.FROM_50K_TO_100K],
  [500_000, SizeClass.FROM_100K_TO_500K],
];

/** Size class of a population; bounds are inclusive (5,000 inhabitants is "up to 5k"). */
export function sizeClassOf(population: number | null | undefined): SizeClass | null {
  if (population === null || population === undefined) {
    return null;
  }
  for (const [upperBound, sizeClass] of sizeClassUpperBounds) {
    if (population <= upperBound) {
      return sizeClass;
    }
  }
  return SizeClass.OVER_500K;
}

export function coarseSizeClassOf(population: number | null | undefined): SizeClassCoarse | null {
  if (population === null || population === undefined) {
    return null;
  }
  if (population <= 5_000) {
    return SizeClassCoarse.SMALL;
  }
  return population <= 50_000 ? SizeClassCoarse.MEDIUM : SizeClassCoarse.LARGE;
}
