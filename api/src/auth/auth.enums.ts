import { registerEnumType } from 'type-graphql';

/** reader: non-personal reads; editor: writes and contact fields inside its scope; admin: everything. */
export enum Role {
  READER = 'READER',
  EDITOR = 'EDITOR',
  ADMIN = 'ADMIN',
}
registerEnumType(Role, { name: 'Role' });
