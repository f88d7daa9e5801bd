import { Migration } from '@mikro-orm/migrations';

export class Migration20261203094851_person_home_state_export_token_last_used extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "people" add column "home_uf" varchar(2) null;`);

    this.addSql(`alter table "export_tokens" add column "last_used_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "export_tokens" drop column "last_used_at";`);

    this.addSql(`alter table "people" drop column "home_uf";`);
  }

}
