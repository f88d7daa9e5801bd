import { Migration } from '@mikro-orm/migrations';

export class Migration20261201133740_participation_event_person_unique extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "participations" add constraint "participations_event_id_person_id_unique" unique ("event_id", "person_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "participations" drop constraint "participations_event_id_person_id_unique";`);
  }

}
