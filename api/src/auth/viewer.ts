import { Role } from './auth.enums';

/**
 * Who is asking. Anonymous requests read only (when the server allows them); a key carries a
 * role and, optionally, the one state it may write and see contact data in.
 */
export type Viewer =
  | { kind: 'anonymous'; role: Role.READER }
  | {
      kind: 'key';
      apiKeyId: number;
      /** The key's public prefix: whose rate-limit budget the request spends. */
      prefix: string;
      name: string;
      role: Role;
      stateUf: string | null;
    }
  | { kind: 'system'; name: string; role: Role.ADMIN; stateUf: null };

export const anonymousViewer: Viewer = { kind: 'anonymous', role: Role.READER };

export function systemViewer(name: string): Viewer {
  return { kind: 'system', name, role: Role.ADMIN, stateUf: null };
}

export function viewerName(viewer: Viewer): string {
  return viewer.kind === 'anonymous' ? 'anonymous' : viewer.name;
}
