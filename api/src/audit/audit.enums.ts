import { registerEnumType } from 'type-graphql';

export enum AuditAction {
  CREATE = 'CREATE',
  UPDATE = 'UPDATE',
  DELETE = 'DELETE',
  RESTORE = 'RESTORE',
  REVERT = 'REVERT',
}
registerEnumType(AuditAction, { name: 'AuditAction' });

/** Through which door a change came in. */
export enum AuditVia {
  API = 'API',
  IMPORT = 'IMPORT',
  SHEETS = 'SHEETS',
  SYSTEM = 'SYSTEM',
}
registerEnumType(AuditVia, { name: 'AuditVia' });
