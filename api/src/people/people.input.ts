import { type FilterQuery } from '@mikro-orm/core';
import { Field, InputType } from 'type-graphql';
import { inForceWhere, mandateSpan } from '../common/in-force';
import { LocalDate } from '../common/scalars';
import { containsPattern } from '../common/text';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import { validIbgeCode, validUfs } from '../territory/territory.validation';
import type { Em } from '../db/orm';
import { Mandate } from './mandate.entity';
import type { Organization } from './organization.entity';
import type { Person } from './person.entity';
import { MandateRole, OrganizationKind } from './people.enums';

@InputType()
export class OrganizationFilter {
  @Field(() => [OrganizationKind], { nullable: true })
  kind?: OrganizationKind[];

  @Field(() => [String], { nullable: true })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  code?: string[];
}

export function organizationWhere(
  filter: OrganizationFilter | null | undefined,
): FilterQuery<Organization> {
  return {
    deletedAt: null,
    ...(filter?.kind ? { kind: { $in: filter.kind } } : {}),
    ...(filter?.uf ? { state: { uf: { $in: validUfs(filter.uf, 'filter.uf') } } } : {}),
    ...(filter?.code ? { code: { $in: filter.code } } : {}),
  };
}

@InputType()
export class PersonFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Name contains this text, ignoring case and accents.',
  })
  nameContains?: string;

  @Field(() => [String], { nullable: true })
  code?: string[];

  @Field(() => [MandateRole], {
    nullable: true,
    description: 'People holding one of these roles on `activeOn`.',
  })
  role?: MandateRole[];

  @Field(() => [String], {
    nullable: true,
    description: 'People with a mandate in these states (on `activeOn` when given).',
  })
  uf?: string[];

  @Field(() => LocalDate, { nullable: true })
  activeOn?: string;

  @Field(() => Boolean, { nullable: true })
  demo?: boolean;
}

export const [PersonOrder, personOrder] = orderEnum<Person>()(
  'PersonOrder',
  { NAME: 'nameSearch', CODE: 'code' },
  'NAME_ASC',
);
export type PersonOrder = EnumValue<typeof PersonOrder>;

/** Needs the entity manager: role and state filters first find the matching people's ids. */
export async function personWhere(
  em: Em,
  filter: PersonFilter | null | undefined,
): Promise<FilterQuery<Person>> {
  const where: Record<string, unknown> = { deletedAt: null };
  if (filter?.nameContains) {
    where.nameSearch = { $like: containsPattern(filter.nameContains) };
  }
  if (filter?.code) {
    where.code = { $in: filter.code };
  }
  if (filter?.demo !== undefined && filter?.demo !== null) {
    where.demo = filter.demo;
  }
  if (filter?.role || filter?.uf || filter?.activeOn) {
    const mandates = await em.find(
      Mandate,
      mandateWhere({ role: filter.role, uf: filter.uf, activeOn: filter.activeOn }),
      { fields: ['person'] },
    );
    where.id = { $in: [...new Set(mandates.map((mandate) => mandate.person.id))] };
  }
  return where as FilterQuery<Person>;
}

export function activeOnWhere(activeOn: string | null | undefined): Record<string, unknown> {
  if (!activeOn) {
    return {};
  }
  return inForceWhere(mandateSpan, activeOn);
}

/** A soft-deleted person is gone from every read, and their mandates with them. */
export const livePerson = { person: { deletedAt: null } } as const;

/** A mandate of `role` in force on `on` (besides its municipality): what `gestor`/`mayor` answer. */
export function mandateInForceWhere(role: MandateRole, on: string): Record<string, unknown> {
  return { role, deletedAt: null, ...livePerson, ...activeOnWhere(on) };
}

/** When several mandates are in force, the newest wins, then the lowest id. */
export const mandateInForceOrder = [{ startDate: 'desc' }, { id: 'asc' }] as const;

@InputType()
export class MandateFilter {
  @Field(() => [MandateRole], { nullable: true })
  role?: MandateRole[];

  @Field(() => LocalDate, {
    nullable: true,
    description: 'Mandates in force on this day: start ≤ day < end.',
  })
  activeOn?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Scope in these states (state, municipality or region scope).',
  })
  uf?: string[];

  @Field(() => [String], { nullable: true })
  municipalityIbgeCode?: string[];

  @Field(() => [String], { nullable: true })
  healthRegionCode?: string[];

  @Field(() => [String], { nullable: true })
  personCode?: string[];

  @Field(() => [String], { nullable: true })
  organizationCode?: string[];
}

export const [MandateOrder, mandateOrder] = orderEnum<Mandate>()(
  'MandateOrder',
  { START_DATE: 'startDate', ROLE: 'role' },
  'START_DATE_ASC',
);
export type MandateOrder = EnumValue<typeof MandateOrder>;

export function mandateWhere(filter: MandateFilter | null | undefined): FilterQuery<Mandate> {
  const and: Record<string, unknown>[] = [{ deletedAt: null, ...livePerson }];
  if (filter?.role) {
    and.push({ role: { $in: filter.role } });
  }
  if (filter?.activeOn) {
    and.push(activeOnWhere(filter.activeOn));
  }
  if (filter?.uf) {
    const ufs = validUfs(filter.uf, 'filter.uf');
    and.push({
      $or: [
        { state: { uf: { $in: ufs } } },
        { municipality: { state: { uf: { $in: ufs } } } },
        { healthRegions: { state: { uf: { $in: ufs } } } },
      ],
    });
  }
  if (filter?.municipalityIbgeCode) {
    const codes = filter.municipalityIbgeCode.map((code) =>
      validIbgeCode(code, 'filter.municipalityIbgeCode'),
    );
    and.push({ municipality: { ibgeCode: { $in: codes } } });
  }
  if (filter?.healthRegionCode) {
    and.push({ healthRegions: { code: { $in: filter.healthRegionCode } } });
  }
  if (filter?.personCode) {
    and.push({ person: { code: { $in: filter.personCode } } });
  }
  if (filter?.organizationCode) {
    and.push({ organization: { code: { $in: filter.organizationCode } } });
  }
  return (and.length === 1 ? and[0] : { $and: and }) as FilterQuery<Mandate>;
}
