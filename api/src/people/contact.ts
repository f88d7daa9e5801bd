import { Role } from '../auth/auth.enums';
import { canSeeContact, hasRole, scopedUf } from '../auth/policy';
import { type Viewer } from '../auth/viewer';
import type { GraphQLContext } from '../graphql/context';
import { requestLoader } from '../graphql/loaders';
import { personStates } from './person-states';

/**
 * A person's personal data. Whoever may not read them through `Person.email`/`Person.phone` may
 * not read them anywhere else either: conflict `current`, audit `before`/`after`, revert reports.
 */
export const CONTACT_FIELDS: readonly string[] = ['email', 'phone'];

/** The contact fields `viewer` may not read of a person of `states`: none, or all of them. */
export function hiddenContactFields(viewer: Viewer, states: readonly string[]): readonly string[] {
  return canSeeContact(viewer, states) ? [] : CONTACT_FIELDS;
}

/** A flat echo of a row (`{ code, name, email… }`) without the fields its reader may not see. */
export function withoutFields<T extends Record<string, unknown>>(
  flat: T,
  hidden: readonly string[],
): T {
  if (hidden.length === 0) {
    return flat;
  }
  return Object.fromEntries(Object.entries(flat).filter(([key]) => !hidden.includes(key))) as T;
}

/**
 * An echo of a row of `entityType` where the person's states are not at hand (reports of admin
 * operations): a person's contact stays only for viewers who read every person's.
 */
export function withoutContactUnlessUnscoped<T extends Record<string, unknown>>(
  viewer: Viewer,
  entityType: string,
  flat: T,
): T {
  return entityType === 'Person' ? withoutFields(flat, hiddenContactFields(viewer, [])) : flat;
}

/**
 * Whether the request's viewer may read person #`personId`'s contact fields. Readers and
 * anonymous callers never, unscoped editors and admins always — neither costs a statement; a
 * state-scoped editor's answer is batched per request (one statement for a page of people).
 */
export async function contactVisibleTo(
  context: GraphQLContext,
  personId: number,
): Promise<boolean> {
  const { viewer } = context;
  if (!hasRole(viewer, Role.EDITOR)) {
    return false;
  }
  if (scopedUf(viewer) === null) {
    return true;
  }
  const states = await requestLoader<number, string[]>(context, 'personStates', async (ids) => {
    const found = new Map((await personStates(context.em, { ids })).map((p) => [p.id, p.states]));
    return ids.map((id) => found.get(id) ?? []);
  }).load(personId);
  return canSeeContact(viewer, states);
}
