import { Migration } from '@mikro-orm/migrations';

export class Migration20261203094709_municipality_names_and_macroregion extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "municipality_names" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "municipality_id" int not null, "name" varchar(200) not null, "known_from" varchar(10) null, "known_to" varchar(10) null);`);
    this.addSql(`create index "municipality_names_deleted_at_index" on "municipality_names" ("deleted_at");`);
    this.addSql(`create index "municipality_names_municipality_id_index" on "municipality_names" ("municipality_id");`);
    this.addSql(`alter table "municipality_names" add constraint "municipality_names_municipality_id_name_unique" unique ("municipality_id", "name");`);

    this.addSql(`alter table "municipality_names" add constraint "municipality_names_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade;`);

    this.addSql(`alter table "municipalities" add column "name_as_of" varchar(10) null, add column "macroregion_id" int null;`);
    this.addSql(`alter table "municipalities" add constraint "municipalities_macroregion_id_foreign" foreign key ("macroregion_id") references "health_macroregions" ("id") on update cascade on delete set null;`);
    this.addSql(`create index "municipalities_macroregion_id_index" on "municipalities" ("macroregion_id");`);

    // Names the shipped territory gave are true on 2025-01-01 (SHIPPED_TERRITORY_AS_OF); each
    // municipality's current name starts its name history.
    this.addSql(`update "municipalities" set "name_as_of" = '2025-01-01' where "source" = 'seed:brazilian-utils';`);
    this.addSql(`insert into "municipality_names" ("created_at", "updated_at", "version", "source", "municipality_id", "name", "known_from", "known_to") select "created_at", "updated_at", 1, "source", "id", "name", "name_as_of", "name_as_of" from "municipalities";`);
    // Demo regions and macroregions made before demo codes had their own form (D43001, D4301):
    // an official code on a demo row is what let official imports rename demo rows.
    this.addSql(`update "health_regions" set "code" = 'D' || "code" where "demo" and "code" not like 'D%';`);
    this.addSql(`update "health_macroregions" set "code" = 'D' || "code" where "demo" and "code" not like 'D%';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "municipality_names" cascade;`);

    this.addSql(`alter table "municipalities" drop constraint "municipalities_macroregion_id_foreign";`);

    this.addSql(`drop index "municipalities_macroregion_id_index";`);
    this.addSql(`alter table "municipalities" drop column "name_as_of", drop column "macroregion_id";`);
  }

}
