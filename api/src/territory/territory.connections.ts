import { ObjectType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { HealthMacroregion } from './health-macroregion.entity';
import { HealthRegion } from './health-region.entity';
import { Municipality } from './municipality.entity';
import { MunicipalityName } from './municipality-name.entity';
import { PopulationEstimate } from './population-estimate.entity';
import { RegionMembership } from './region-membership.entity';
import { State } from './state.entity';

@ObjectType()
export class StateConnection extends Connection(State) {}

@ObjectType()
export class HealthMacroregionConnection extends Connection(HealthMacroregion) {}

@ObjectType()
export class HealthRegionConnection extends Connection(HealthRegion) {}

@ObjectType()
export class MunicipalityConnection extends Connection(Municipality) {}

@ObjectType()
export class RegionMembershipConnection extends Connection(RegionMembership) {}

@ObjectType()
export class PopulationEstimateConnection extends Connection(PopulationEstimate) {}

@ObjectType()
export class MunicipalityNameConnection extends Connection(MunicipalityName) {}
