import { Migration } from '@mikro-orm/migrations';

// Trimmed by hand to the two real changes: MikroORM's SQLite diff also re-creates every table with
// an enum check (a known false positive, see api/test/db/migrations.test.ts).
export class Migration20261203094851_person_home_state_export_token_last_used extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`people\` add column \`home_uf\` text null;`);

    this.addSql(`alter table \`export_tokens\` add column \`last_used_at\` datetime null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`export_tokens\` drop column \`last_used_at\`;`);

    this.addSql(`alter table \`people\` drop column \`home_uf\`;`);
  }

}
