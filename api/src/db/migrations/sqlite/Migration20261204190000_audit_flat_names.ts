import { Migration } from '@mikro-orm/migrations';
import { auditFlatNameStatements } from '../audit-flat-names';

/** Written by hand: renames keys in the import engine's audit entries (see `audit-flat-names.ts`). */
export class Migration20261204190000_audit_flat_names extends Migration {
  override async up(): Promise<void> {
    for (const statement of auditFlatNameStatements('sqlite', 'up')) {
      this.addSql(statement);
    }
  }

  override async down(): Promise<void> {
    for (const statement of auditFlatNameStatements('sqlite', 'down')) {
      this.addSql(statement);
    }
  }
}
