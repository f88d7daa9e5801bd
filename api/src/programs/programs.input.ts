import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType } from 'type-graphql';
import { validIbgeCode, validUfs } from '../territory/territory.validation';
import type { Adhesion } from './adhesion.entity';
import type { InstrumentStatus } from './instrument-status.entity';
import { AdhesionStatus, Instrument, InstrumentStatusValue } from './programs.enums';

@InputType()
export class AdhesionFilter {
  @Field(() => [String], { nullable: true })
  programCode?: string[];

  @Field(() => [AdhesionStatus], {
    nullable: true,
    description: 'Stored status (EXPIRED is also derived from validUntil).',
  })
  status?: AdhesionStatus[];

  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  healthRegionCode?: string[];

  @Field(() => [String], { nullable: true })
  municipalityIbgeCode?: string[];
}

interface MunicipalityScopeFilter {
  uf?: string[];
  healthRegionCode?: string[];
  municipalityIbgeCode?: string[];
}

/** Conditions on the row's municipality (state, health region, IBGE code) shared by both filters. */
function municipalityScopeWhere(
  filter: MunicipalityScopeFilter | null | undefined,
): Record<string, unknown>[] {
  const and: Record<string, unknown>[] = [];
  if (filter?.uf) {
    and.push({ municipality: { state: { uf: { $in: validUfs(filter.uf, 'filter.uf') } } } });
  }
  if (filter?.healthRegionCode) {
    and.push({ municipality: { healthRegion: { code: { $in: filter.healthRegionCode } } } });
  }
  if (filter?.municipalityIbgeCode) {
    const codes = filter.municipalityIbgeCode.map((code) =>
      validIbgeCode(code, 'filter.municipalityIbgeCode'),
    );
    and.push({ municipality: { ibgeCode: { $in: codes } } });
  }
  return and;
}

export function adhesionWhere(filter: AdhesionFilter | null | undefined): FilterQuery<Adhesion> {
  const and: Record<string, unknown>[] = [{ deletedAt: null }];
  if (filter?.programCode) {
    and.push({ program: { code: { $in: filter.programCode } } });
  }
  if (filter?.status) {
    and.push({ status: { $in: filter.status } });
  }
  and.push(...municipalityScopeWhere(filter));
  return (and.length === 1 ? and[0] : { $and: and }) as FilterQuery<Adhesion>;
}

@InputType()
export class InstrumentStatusFilter {
  @Field(() => [Instrument], { nullable: true })
  instrument?: Instrument[];

  @Field(() => [String], { nullable: true })
  period?: string[];

  @Field(() => [InstrumentStatusValue], { nullable: true })
  status?: InstrumentStatusValue[];

  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  healthRegionCode?: string[];

  @Field(() => [String], { nullable: true })
  municipalityIbgeCode?: string[];
}

export function instrumentStatusWhere(
  filter: InstrumentStatusFilter | null | undefined,
): FilterQuery<InstrumentStatus> {
  const and: Record<string, unknown>[] = [{ deletedAt: null }];
  if (filter?.instrument) {
    and.push({ instrument: { $in: filter.instrument } });
  }
  if (filter?.period) {
    and.push({ period: { $in: filter.period } });
  }
  if (filter?.status) {
    and.push({ status: { $in: filter.status } });
  }
  and.push(...municipalityScopeWhere(filter));
  return (and.length === 1 ? and[0] : { $and: and }) as FilterQuery<InstrumentStatus>;
}
