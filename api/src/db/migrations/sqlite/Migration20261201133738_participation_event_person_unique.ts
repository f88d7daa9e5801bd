import { Migration } from '@mikro-orm/migrations';

// Trimmed by hand to the one real change: MikroORM's SQLite diff also re-creates every table with
// an enum check (a known false positive, see api/test/db/migrations.test.ts).
export class Migration20261201133738_participation_event_person_unique extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create unique index \`participations_event_id_person_id_unique\` on \`participations\` (\`event_id\`, \`person_id\`);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index \`participations_event_id_person_id_unique\`;`);
  }

}
