import { type FilterQuery } from '@mikro-orm/core';
import { inForceWhere, mandateSpan } from '../common/in-force';
import { LocalDate } from '../common/scalars';
import { field, filterInput, list, nameContains } from '../graphql/filters';
import { orderEnum, type EnumValue } from '../graphql/ordering';
import { validIbgeCode, validUfs } from '../territory/territory.validation';
import type { Em } from '../db/orm';
import { Mandate } from './mandate.entity';
import type { Organization } from './organization.entity';
import type { Person } from './person.entity';
import { MandateRole, OrganizationKind } from './people.enums';

export const [OrganizationFilter, organizationWhere] = filterInput<Organization>()(
  'OrganizationFilter',
  {
    kind: list(OrganizationKind, (kind) => ({ kind: { $in: kind } })),
    uf: list(String, (ufs) => ({ state: { uf: { $in: validUfs(ufs, 'filter.uf') } } })),
    code: list(String, (codes) => ({ code: { $in: codes } })),
  },
);
export type OrganizationFilter = InstanceType<typeof OrganizationFilter>;

/** `role`, `uf` and `activeOn` are read together by `personWhere`, from the people's mandates. */
export const [PersonFilter, personFieldsWhere] = filterInput<Person>()('PersonFilter', {
  nameContains,
  code: list(String, (codes) => ({ code: { $in: codes } })),
  role: list(MandateRole, { description: 'People holding one of these roles on `activeOn`.' }),
  uf: list(String, {
    description: 'People with a mandate in these states (on `activeOn` when given).',
  }),
  activeOn: field(LocalDate),
  demo: field(Boolean, (demo) => ({ demo })),
});
export type PersonFilter = InstanceType<typeof PersonFilter>;

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
  const where = personFieldsWhere(filter) as Record<string, unknown>;
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

export const [MandateFilter, mandateWhere] = filterInput<Mandate>()(
  'MandateFilter',
  {
    role: list(MandateRole, (role) => ({ role: { $in: role } })),
    activeOn: field(LocalDate, activeOnWhere, {
      description: 'Mandates in force on this day: start ≤ day < end.',
    }),
    uf: list(
      String,
      (values) => {
        const ufs = validUfs(values, 'filter.uf');
        return {
          $or: [
            { state: { uf: { $in: ufs } } },
            { municipality: { state: { uf: { $in: ufs } } } },
            { healthRegions: { state: { uf: { $in: ufs } } } },
          ],
        };
      },
      { description: 'Scope in these states (state, municipality or region scope).' },
    ),
    municipalityIbgeCode: list(String, (codes) => ({
      municipality: {
        ibgeCode: { $in: codes.map((code) => validIbgeCode(code, 'filter.municipalityIbgeCode')) },
      },
    })),
    healthRegionCode: list(String, (codes) => ({ healthRegions: { code: { $in: codes } } })),
    personCode: list(String, (codes) => ({ person: { code: { $in: codes } } })),
    organizationCode: list(String, (codes) => ({ organization: { code: { $in: codes } } })),
  },
  { base: { deletedAt: null, ...livePerson }, join: '$and' },
);
export type MandateFilter = InstanceType<typeof MandateFilter>;

export const [MandateOrder, mandateOrder] = orderEnum<Mandate>()(
  'MandateOrder',
  { START_DATE: 'startDate', ROLE: 'role' },
  'START_DATE_ASC',
);
export type MandateOrder = EnumValue<typeof MandateOrder>;
