import { Role } from './auth.enums';
import type { Viewer } from './viewer';

const rank: Record<Role, number> = { [Role.READER]: 0, [Role.EDITOR]: 1, [Role.ADMIN]: 2 };

export function hasRole(viewer: Viewer, needed: Role): boolean {
  return rank[viewer.role] >= rank[needed];
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
 * everywhere, readers never. `personUfs` are the states the person holds mandates in.
 */
export function canSeeContact(viewer: Viewer, personUfs: readonly string[]): boolean {
  if (!hasRole(viewer, Role.EDITOR)) {
    return false;
  }
  if (viewer.kind !== 'key' || viewer.role === Role.ADMIN || viewer.stateUf === null) {
    return true;
  }
  return personUfs.includes(viewer.stateUf);
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
  if (viewer.kind !== 'key' || viewer.role === Role.ADMIN || viewer.stateUf === null) {
    return true;
  }
  return ufs.every((uf) => uf === viewer.stateUf);
}

/** "rows of RS" / "every state", for error messages. */
export function scopeDescription(viewer: Viewer): string {
  return viewer.kind === 'key' && viewer.role !== Role.ADMIN && viewer.stateUf
    ? `rows of ${viewer.stateUf}`
    : 'every state';
}
