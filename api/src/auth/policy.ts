import { Role } from './auth.enums';
import type { Viewer } from './viewer';

const rank: Record<Role, number> = { [Role.READER]: 0, [Role.EDITOR]: 1, [Role.ADMIN]: 2 };

export function hasRole(viewer: Viewer, needed: Role): boolean {
  return rank[viewer.role] >= rank[needed];
}

/** The one state a key is limited to; null for admins, unscoped keys and anonymous callers. */
export function scopedUf(viewer: Viewer): string | null {
  return viewer.kind === 'key' && viewer.role !== Role.ADMIN ? viewer.stateUf : null;
}

/** Whether the viewer acts on rows of state `uf` (admins and unscoped keys act everywhere). */
export function inScope(viewer: Viewer, uf: string | null | undefined): boolean {
  if (viewer.kind === 'anonymous') {
    return false;
  }
  if (viewer.role === Role.ADMIN || viewer.stateUf === null) {
    return true;
  }
  return uf !== null && uf !== undefined && viewer.stateUf === uf;
}

/**
 * Contact fields (email, phone) are personal data: editors see them inside their scope, admins
 * everywhere, readers never. `personUfs` are the states the person belongs to
 * (`people/person-states.ts`); a state-scoped editor sees the people of its state.
 */
export function canSeeContact(viewer: Viewer, personUfs: readonly string[]): boolean {
  if (!hasRole(viewer, Role.EDITOR)) {
    return false;
  }
  const uf = scopedUf(viewer);
  return uf === null || personUfs.includes(uf);
}

/**
 * Whether the viewer may write a row belonging to `ufs` (the states of its territory). Rows of no
 * state (a person without mandates yet) are writable by every editor; a scoped key writes only
 * rows all of whose states are its own.
 */
export function canWriteIn(viewer: Viewer, ufs: readonly string[]): boolean {
  if (!hasRole(viewer, Role.EDITOR)) {
    return false;
  }
  const scope = scopedUf(viewer);
  return scope === null || ufs.every((uf) => uf === scope);
}

/** "rows of RS" / "every state", for error messages. */
export function scopeDescription(viewer: Viewer): string {
  const uf = scopedUf(viewer);
  return uf ? `rows of ${uf}` : 'every state';
}
