import { Migration } from '@mikro-orm/migrations';

export class Migration20261123160802_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "api_keys" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "name" varchar(200) not null, "prefix" varchar(32) not null, "secret_hash" varchar(200) not null, "role" text check ("role" in ('READER', 'EDITOR', 'ADMIN')) not null, "state_uf" varchar(2) null, "revoked_at" timestamptz null, "last_used_at" timestamptz null);`);
    this.addSql(`create index "api_keys_deleted_at_index" on "api_keys" ("deleted_at");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_prefix_unique" unique ("prefix");`);

    this.addSql(`create table "audit_entries" ("id" serial primary key, "at" timestamptz not null, "actor" varchar(200) not null, "api_key_id" int null, "entity_type" varchar(60) not null, "entity_id" int not null, "action" text check ("action" in ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'REVERT')) not null, "before" jsonb null, "after" jsonb null, "via" text check ("via" in ('API', 'IMPORT', 'SHEETS', 'SYSTEM')) not null, "request_id" varchar(100) null, "import_run_id" int null, "state_uf" varchar(2) null);`);
    this.addSql(`create index "audit_entries_at_index" on "audit_entries" ("at");`);
    this.addSql(`create index "audit_entries_actor_index" on "audit_entries" ("actor");`);
    this.addSql(`create index "audit_entries_action_index" on "audit_entries" ("action");`);
    this.addSql(`create index "audit_entries_via_index" on "audit_entries" ("via");`);
    this.addSql(`create index "audit_entries_request_id_index" on "audit_entries" ("request_id");`);
    this.addSql(`create index "audit_entries_import_run_id_index" on "audit_entries" ("import_run_id");`);
    this.addSql(`create index "audit_entries_state_uf_index" on "audit_entries" ("state_uf");`);
    this.addSql(`create index "audit_entries_entity_type_entity_id_index" on "audit_entries" ("entity_type", "entity_id");`);

    this.addSql(`create table "import_runs" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "kind" varchar(50) not null, "file_names" jsonb not null, "sha256" varchar(64) not null, "status" text check ("status" in ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'DRY_RUN', 'REVERTED')) not null, "actor" varchar(200) not null, "started_at" timestamptz not null, "finished_at" timestamptz null, "counts" jsonb not null, "errors" jsonb not null, "as_of" varchar(10) null);`);
    this.addSql(`create index "import_runs_deleted_at_index" on "import_runs" ("deleted_at");`);
    this.addSql(`create index "import_runs_kind_index" on "import_runs" ("kind");`);
    this.addSql(`create index "import_runs_sha256_index" on "import_runs" ("sha256");`);
    this.addSql(`create index "import_runs_status_index" on "import_runs" ("status");`);

    this.addSql(`create table "people" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(50) not null, "name" varchar(300) not null, "name_search" varchar(300) not null, "email" varchar(300) null, "phone" varchar(50) null, "demo" boolean not null default false);`);
    this.addSql(`create index "people_deleted_at_index" on "people" ("deleted_at");`);
    this.addSql(`alter table "people" add constraint "people_code_unique" unique ("code");`);
    this.addSql(`create index "people_name_index" on "people" ("name");`);
    this.addSql(`create index "people_name_search_index" on "people" ("name_search");`);
    this.addSql(`create index "people_demo_index" on "people" ("demo");`);

    this.addSql(`create table "programs" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(50) not null, "name" varchar(300) not null, "description" text null, "adhesion_opens_on" varchar(10) not null, "adhesion_closes_on" varchar(10) not null, "decision_business_days" int not null default 3, "validity_months" int not null default 24);`);
    this.addSql(`create index "programs_deleted_at_index" on "programs" ("deleted_at");`);
    this.addSql(`alter table "programs" add constraint "programs_code_unique" unique ("code");`);

    this.addSql(`create table "saved_queries" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "name" varchar(200) not null, "description" text null, "query" text not null, "variables" jsonb null, "state_uf" varchar(2) null, "created_by" varchar(200) not null);`);
    this.addSql(`create index "saved_queries_deleted_at_index" on "saved_queries" ("deleted_at");`);
    this.addSql(`alter table "saved_queries" add constraint "saved_queries_name_unique" unique ("name");`);
    this.addSql(`create index "saved_queries_state_uf_index" on "saved_queries" ("state_uf");`);

    this.addSql(`create table "export_tokens" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "saved_query_id" int not null, "prefix" varchar(32) not null, "secret_hash" varchar(200) not null, "created_by" varchar(200) not null, "revoked_at" timestamptz null);`);
    this.addSql(`create index "export_tokens_deleted_at_index" on "export_tokens" ("deleted_at");`);
    this.addSql(`create index "export_tokens_saved_query_id_index" on "export_tokens" ("saved_query_id");`);
    this.addSql(`alter table "export_tokens" add constraint "export_tokens_prefix_unique" unique ("prefix");`);

    this.addSql(`create table "states" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "uf" varchar(2) not null, "ibge_code" varchar(2) not null, "name" varchar(100) not null, "region" text check ("region" in ('NORTE', 'NORDESTE', 'SUDESTE', 'SUL', 'CENTRO_OESTE')) not null);`);
    this.addSql(`create index "states_deleted_at_index" on "states" ("deleted_at");`);
    this.addSql(`alter table "states" add constraint "states_uf_unique" unique ("uf");`);
    this.addSql(`alter table "states" add constraint "states_ibge_code_unique" unique ("ibge_code");`);
    this.addSql(`create index "states_region_index" on "states" ("region");`);

    this.addSql(`create table "organizations" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(50) not null, "name" varchar(300) not null, "kind" text check ("kind" in ('CONASEMS', 'COSEMS', 'SES', 'MS', 'OPAS', 'MUNICIPAL_SECRETARIAT', 'OTHER')) not null, "state_id" int null);`);
    this.addSql(`create index "organizations_deleted_at_index" on "organizations" ("deleted_at");`);
    this.addSql(`alter table "organizations" add constraint "organizations_code_unique" unique ("code");`);
    this.addSql(`create index "organizations_kind_index" on "organizations" ("kind");`);
    this.addSql(`create index "organizations_state_id_index" on "organizations" ("state_id");`);

    this.addSql(`create table "health_macroregions" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(10) not null, "name" varchar(200) not null, "name_search" varchar(200) not null, "state_id" int not null, "demo" boolean not null default false);`);
    this.addSql(`create index "health_macroregions_deleted_at_index" on "health_macroregions" ("deleted_at");`);
    this.addSql(`alter table "health_macroregions" add constraint "health_macroregions_code_unique" unique ("code");`);
    this.addSql(`create index "health_macroregions_name_search_index" on "health_macroregions" ("name_search");`);
    this.addSql(`create index "health_macroregions_state_id_index" on "health_macroregions" ("state_id");`);

    this.addSql(`create table "health_regions" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(10) not null, "name" varchar(200) not null, "name_search" varchar(200) not null, "state_id" int not null, "macroregion_id" int null, "seat_municipality_id" int null, "demo" boolean not null default false);`);
    this.addSql(`create index "health_regions_deleted_at_index" on "health_regions" ("deleted_at");`);
    this.addSql(`alter table "health_regions" add constraint "health_regions_code_unique" unique ("code");`);
    this.addSql(`create index "health_regions_name_search_index" on "health_regions" ("name_search");`);
    this.addSql(`create index "health_regions_state_id_index" on "health_regions" ("state_id");`);
    this.addSql(`create index "health_regions_macroregion_id_index" on "health_regions" ("macroregion_id");`);

    this.addSql(`create table "municipalities" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "ibge_code" varchar(7) not null, "name" varchar(200) not null, "name_search" varchar(200) not null, "state_id" int not null, "health_region_id" int null, "is_capital" boolean not null default false, "population" int null, "population_year" int null, "size_class" text check ("size_class" in ('UP_TO_5K', 'FROM_5K_TO_10K', 'FROM_10K_TO_20K', 'FROM_20K_TO_50K', 'FROM_50K_TO_100K', 'FROM_100K_TO_500K', 'OVER_500K')) null, "management_type" text check ("management_type" in ('APS_ONLY', 'PARTIAL_MEDIUM_COMPLEXITY', 'FULL')) null, "latitude" double precision null, "longitude" double precision null);`);
    this.addSql(`create index "municipalities_deleted_at_index" on "municipalities" ("deleted_at");`);
    this.addSql(`alter table "municipalities" add constraint "municipalities_ibge_code_unique" unique ("ibge_code");`);
    this.addSql(`create index "municipalities_name_index" on "municipalities" ("name");`);
    this.addSql(`create index "municipalities_name_search_index" on "municipalities" ("name_search");`);
    this.addSql(`create index "municipalities_state_id_index" on "municipalities" ("state_id");`);
    this.addSql(`create index "municipalities_health_region_id_index" on "municipalities" ("health_region_id");`);
    this.addSql(`create index "municipalities_is_capital_index" on "municipalities" ("is_capital");`);
    this.addSql(`create index "municipalities_population_index" on "municipalities" ("population");`);
    this.addSql(`create index "municipalities_size_class_index" on "municipalities" ("size_class");`);
    this.addSql(`create index "municipalities_management_type_index" on "municipalities" ("management_type");`);
    this.addSql(`create index "municipalities_state_id_name_index" on "municipalities" ("state_id", "name");`);

    this.addSql(`create table "region_memberships" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "municipality_id" int not null, "health_region_id" int not null, "valid_from" varchar(10) null, "valid_to" varchar(10) null);`);
    this.addSql(`create index "region_memberships_deleted_at_index" on "region_memberships" ("deleted_at");`);
    this.addSql(`create index "region_memberships_municipality_id_index" on "region_memberships" ("municipality_id");`);
    this.addSql(`create index "region_memberships_health_region_id_index" on "region_memberships" ("health_region_id");`);
    this.addSql(`create index "region_memberships_valid_to_index" on "region_memberships" ("valid_to");`);
    this.addSql(`create index "region_memberships_municipality_id_valid_from_index" on "region_memberships" ("municipality_id", "valid_from");`);

    this.addSql(`create table "population_estimates" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "municipality_id" int not null, "year" int not null, "population" int not null);`);
    this.addSql(`create index "population_estimates_deleted_at_index" on "population_estimates" ("deleted_at");`);
    this.addSql(`create index "population_estimates_year_index" on "population_estimates" ("year");`);
    this.addSql(`alter table "population_estimates" add constraint "population_estimates_municipality_id_year_unique" unique ("municipality_id", "year");`);

    this.addSql(`create table "mandates" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(80) null, "person_id" int not null, "organization_id" int null, "role" text check ("role" in ('APOIADOR', 'STATE_COORDINATOR', 'FACILITATOR', 'NATIONAL_COORDINATOR', 'MUNICIPAL_SECRETARY', 'MAYOR', 'BOARD_MEMBER', 'COUNCIL_SEAT', 'TECHNICAL_ADVISER')) not null, "seat" text check ("seat" in ('TITULAR', 'SUPLENTE')) null, "state_id" int null, "municipality_id" int null, "start_date" varchar(10) not null, "end_date" varchar(10) null, "demo" boolean not null default false);`);
    this.addSql(`create index "mandates_deleted_at_index" on "mandates" ("deleted_at");`);
    this.addSql(`alter table "mandates" add constraint "mandates_code_unique" unique ("code");`);
    this.addSql(`create index "mandates_person_id_index" on "mandates" ("person_id");`);
    this.addSql(`create index "mandates_organization_id_index" on "mandates" ("organization_id");`);
    this.addSql(`create index "mandates_role_index" on "mandates" ("role");`);
    this.addSql(`create index "mandates_state_id_index" on "mandates" ("state_id");`);
    this.addSql(`create index "mandates_municipality_id_index" on "mandates" ("municipality_id");`);
    this.addSql(`create index "mandates_start_date_index" on "mandates" ("start_date");`);
    this.addSql(`create index "mandates_end_date_index" on "mandates" ("end_date");`);
    this.addSql(`create index "mandates_demo_index" on "mandates" ("demo");`);
    this.addSql(`create index "mandates_municipality_id_role_index" on "mandates" ("municipality_id", "role");`);
    this.addSql(`create index "mandates_role_start_date_end_date_index" on "mandates" ("role", "start_date", "end_date");`);

    this.addSql(`create table "instrument_statuses" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "municipality_id" int not null, "instrument" text check ("instrument" in ('PMS', 'PAS', 'RAG', 'RDQA', 'SIOPS', 'DIGISUS')) not null, "period" varchar(20) not null, "status" text check ("status" in ('PENDING', 'IN_PROGRESS', 'SENT', 'APPROVED')) not null, "status_date" varchar(10) null, "due_date" varchar(10) null, "demo" boolean not null default false);`);
    this.addSql(`create index "instrument_statuses_deleted_at_index" on "instrument_statuses" ("deleted_at");`);
    this.addSql(`create index "instrument_statuses_status_index" on "instrument_statuses" ("status");`);
    this.addSql(`create index "instrument_statuses_instrument_period_status_index" on "instrument_statuses" ("instrument", "period", "status");`);
    this.addSql(`alter table "instrument_statuses" add constraint "instrument_statuses_municipality_id_instrument_period_unique" unique ("municipality_id", "instrument", "period");`);

    this.addSql(`create table "enrolments" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "person_id" int not null, "program_id" int not null, "municipality_id" int not null, "enrolled_on" varchar(10) not null);`);
    this.addSql(`create index "enrolments_deleted_at_index" on "enrolments" ("deleted_at");`);
    this.addSql(`create index "enrolments_person_id_index" on "enrolments" ("person_id");`);
    this.addSql(`create index "enrolments_program_id_index" on "enrolments" ("program_id");`);
    this.addSql(`create index "enrolments_municipality_id_index" on "enrolments" ("municipality_id");`);
    this.addSql(`alter table "enrolments" add constraint "enrolments_person_id_program_id_unique" unique ("person_id", "program_id");`);

    this.addSql(`create table "adhesions" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "municipality_id" int not null, "program_id" int not null, "status" text check ("status" in ('REQUESTED', 'APPROVED', 'REJECTED', 'SUSPENDED', 'EXPIRED')) not null, "requested_on" varchar(10) not null, "decision_due_on" varchar(10) null, "decided_on" varchar(10) null, "valid_until" varchar(10) null, "notes" text null, "demo" boolean not null default false);`);
    this.addSql(`create index "adhesions_deleted_at_index" on "adhesions" ("deleted_at");`);
    this.addSql(`create index "adhesions_municipality_id_index" on "adhesions" ("municipality_id");`);
    this.addSql(`create index "adhesions_program_id_index" on "adhesions" ("program_id");`);
    this.addSql(`create index "adhesions_status_index" on "adhesions" ("status");`);
    this.addSql(`create index "adhesions_valid_until_index" on "adhesions" ("valid_until");`);
    this.addSql(`alter table "adhesions" add constraint "adhesions_municipality_id_program_id_unique" unique ("municipality_id", "program_id");`);

    this.addSql(`create table "mandate_health_regions" ("mandate_id" int not null, "health_region_id" int not null, constraint "mandate_health_regions_pkey" primary key ("mandate_id", "health_region_id"));`);

    this.addSql(`create table "events" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "code" varchar(80) null, "kind" text check ("kind" in ('CIR_MEETING', 'CIB_MEETING', 'BOARD_MEETING', 'ASSEMBLY', 'WEB_OFICINA', 'WEB_MEETING', 'TRAINING', 'CONGRESS', 'TECHNICAL_VISIT', 'SETEC', 'OTHER')) not null, "title" varchar(500) not null, "start_date" varchar(10) not null, "end_date" varchar(10) null, "modality" text check ("modality" in ('IN_PERSON', 'ONLINE', 'HYBRID')) not null, "organization_id" int null, "state_id" int null, "health_region_id" int null, "municipality_id" int null, "topics" jsonb not null default '[]', "participant_count" int null, "access_count" int null, "notes" text null, "demo" boolean not null default false);`);
    this.addSql(`create index "events_deleted_at_index" on "events" ("deleted_at");`);
    this.addSql(`alter table "events" add constraint "events_code_unique" unique ("code");`);
    this.addSql(`create index "events_kind_index" on "events" ("kind");`);
    this.addSql(`create index "events_start_date_index" on "events" ("start_date");`);
    this.addSql(`create index "events_modality_index" on "events" ("modality");`);
    this.addSql(`create index "events_organization_id_index" on "events" ("organization_id");`);
    this.addSql(`create index "events_municipality_id_index" on "events" ("municipality_id");`);
    this.addSql(`create index "events_demo_index" on "events" ("demo");`);
    this.addSql(`create index "events_kind_start_date_index" on "events" ("kind", "start_date");`);
    this.addSql(`create index "events_health_region_id_start_date_index" on "events" ("health_region_id", "start_date");`);
    this.addSql(`create index "events_state_id_start_date_index" on "events" ("state_id", "start_date");`);

    this.addSql(`create table "participations" ("id" serial primary key, "created_at" timestamptz not null, "updated_at" timestamptz not null, "version" int not null default 1, "deleted_at" timestamptz null, "source" varchar(200) null, "event_id" int not null, "person_id" int null, "municipality_id" int null, "role" text check ("role" in ('ORGANISER', 'SPEAKER', 'ATTENDEE')) not null default 'ATTENDEE');`);
    this.addSql(`create index "participations_deleted_at_index" on "participations" ("deleted_at");`);
    this.addSql(`create index "participations_event_id_index" on "participations" ("event_id");`);
    this.addSql(`create index "participations_person_id_index" on "participations" ("person_id");`);
    this.addSql(`create index "participations_municipality_id_index" on "participations" ("municipality_id");`);

    this.addSql(`alter table "export_tokens" add constraint "export_tokens_saved_query_id_foreign" foreign key ("saved_query_id") references "saved_queries" ("id") on update cascade;`);

    this.addSql(`alter table "organizations" add constraint "organizations_state_id_foreign" foreign key ("state_id") references "states" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "health_macroregions" add constraint "health_macroregions_state_id_foreign" foreign key ("state_id") references "states" ("id") on update cascade;`);

    this.addSql(`alter table "health_regions" add constraint "health_regions_state_id_foreign" foreign key ("state_id") references "states" ("id") on update cascade;`);
    this.addSql(`alter table "health_regions" add constraint "health_regions_macroregion_id_foreign" foreign key ("macroregion_id") references "health_macroregions" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "health_regions" add constraint "health_regions_seat_municipality_id_foreign" foreign key ("seat_municipality_id") references "municipalities" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "municipalities" add constraint "municipalities_state_id_foreign" foreign key ("state_id") references "states" ("id") on update cascade;`);
    this.addSql(`alter table "municipalities" add constraint "municipalities_health_region_id_foreign" foreign key ("health_region_id") references "health_regions" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "region_memberships" add constraint "region_memberships_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade;`);
    this.addSql(`alter table "region_memberships" add constraint "region_memberships_health_region_id_foreign" foreign key ("health_region_id") references "health_regions" ("id") on update cascade;`);

    this.addSql(`alter table "population_estimates" add constraint "population_estimates_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade;`);

    this.addSql(`alter table "mandates" add constraint "mandates_person_id_foreign" foreign key ("person_id") references "people" ("id") on update cascade;`);
    this.addSql(`alter table "mandates" add constraint "mandates_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "mandates" add constraint "mandates_state_id_foreign" foreign key ("state_id") references "states" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "mandates" add constraint "mandates_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "instrument_statuses" add constraint "instrument_statuses_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade;`);

    this.addSql(`alter table "enrolments" add constraint "enrolments_person_id_foreign" foreign key ("person_id") references "people" ("id") on update cascade;`);
    this.addSql(`alter table "enrolments" add constraint "enrolments_program_id_foreign" foreign key ("program_id") references "programs" ("id") on update cascade;`);
    this.addSql(`alter table "enrolments" add constraint "enrolments_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade;`);

    this.addSql(`alter table "adhesions" add constraint "adhesions_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade;`);
    this.addSql(`alter table "adhesions" add constraint "adhesions_program_id_foreign" foreign key ("program_id") references "programs" ("id") on update cascade;`);

    this.addSql(`alter table "mandate_health_regions" add constraint "mandate_health_regions_mandate_id_foreign" foreign key ("mandate_id") references "mandates" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "mandate_health_regions" add constraint "mandate_health_regions_health_region_id_foreign" foreign key ("health_region_id") references "health_regions" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "events" add constraint "events_organization_id_foreign" foreign key ("organization_id") references "organizations" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "events" add constraint "events_state_id_foreign" foreign key ("state_id") references "states" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "events" add constraint "events_health_region_id_foreign" foreign key ("health_region_id") references "health_regions" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "events" add constraint "events_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "participations" add constraint "participations_event_id_foreign" foreign key ("event_id") references "events" ("id") on update cascade;`);
    this.addSql(`alter table "participations" add constraint "participations_person_id_foreign" foreign key ("person_id") references "people" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "participations" add constraint "participations_municipality_id_foreign" foreign key ("municipality_id") references "municipalities" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "mandates" drop constraint "mandates_person_id_foreign";`);

    this.addSql(`alter table "enrolments" drop constraint "enrolments_person_id_foreign";`);

    this.addSql(`alter table "participations" drop constraint "participations_person_id_foreign";`);

    this.addSql(`alter table "enrolments" drop constraint "enrolments_program_id_foreign";`);

    this.addSql(`alter table "adhesions" drop constraint "adhesions_program_id_foreign";`);

    this.addSql(`alter table "export_tokens" drop constraint "export_tokens_saved_query_id_foreign";`);

    this.addSql(`alter table "organizations" drop constraint "organizations_state_id_foreign";`);

    this.addSql(`alter table "health_macroregions" drop constraint "health_macroregions_state_id_foreign";`);

    this.addSql(`alter table "health_regions" drop constraint "health_regions_state_id_foreign";`);

    this.addSql(`alter table "municipalities" drop constraint "municipalities_state_id_foreign";`);

    this.addSql(`alter table "mandates" drop constraint "mandates_state_id_foreign";`);

    this.addSql(`alter table "events" drop constraint "events_state_id_foreign";`);

    this.addSql(`alter table "mandates" drop constraint "mandates_organization_id_foreign";`);

    this.addSql(`alter table "events" drop constraint "events_organization_id_foreign";`);

    this.addSql(`alter table "health_regions" drop constraint "health_regions_macroregion_id_foreign";`);

    this.addSql(`alter table "municipalities" drop constraint "municipalities_health_region_id_foreign";`);

    this.addSql(`alter table "region_memberships" drop constraint "region_memberships_health_region_id_foreign";`);

    this.addSql(`alter table "mandate_health_regions" drop constraint "mandate_health_regions_health_region_id_foreign";`);

    this.addSql(`alter table "events" drop constraint "events_health_region_id_foreign";`);

    this.addSql(`alter table "health_regions" drop constraint "health_regions_seat_municipality_id_foreign";`);

    this.addSql(`alter table "region_memberships" drop constraint "region_memberships_municipality_id_foreign";`);

    this.addSql(`alter table "population_estimates" drop constraint "population_estimates_municipality_id_foreign";`);

    this.addSql(`alter table "mandates" drop constraint "mandates_municipality_id_foreign";`);

    this.addSql(`alter table "instrument_statuses" drop constraint "instrument_statuses_municipality_id_foreign";`);

    this.addSql(`alter table "enrolments" drop constraint "enrolments_municipality_id_foreign";`);

    this.addSql(`alter table "adhesions" drop constraint "adhesions_municipality_id_foreign";`);

    this.addSql(`alter table "events" drop constraint "events_municipality_id_foreign";`);

    this.addSql(`alter table "participations" drop constraint "participations_municipality_id_foreign";`);

    this.addSql(`alter table "mandate_health_regions" drop constraint "mandate_health_regions_mandate_id_foreign";`);

    this.addSql(`alter table "participations" drop constraint "participations_event_id_foreign";`);

    this.addSql(`drop table if exists "api_keys" cascade;`);

    this.addSql(`drop table if exists "audit_entries" cascade;`);

    this.addSql(`drop table if exists "import_runs" cascade;`);

    this.addSql(`drop table if exists "people" cascade;`);

    this.addSql(`drop table if exists "programs" cascade;`);

    this.addSql(`drop table if exists "saved_queries" cascade;`);

    this.addSql(`drop table if exists "export_tokens" cascade;`);

    this.addSql(`drop table if exists "states" cascade;`);

    this.addSql(`drop table if exists "organizations" cascade;`);

    this.addSql(`drop table if exists "health_macroregions" cascade;`);

    this.addSql(`drop table if exists "health_regions" cascade;`);

    this.addSql(`drop table if exists "municipalities" cascade;`);

    this.addSql(`drop table if exists "region_memberships" cascade;`);

    this.addSql(`drop table if exists "population_estimates" cascade;`);

    this.addSql(`drop table if exists "mandates" cascade;`);

    this.addSql(`drop table if exists "instrument_statuses" cascade;`);

    this.addSql(`drop table if exists "enrolments" cascade;`);

    this.addSql(`drop table if exists "adhesions" cascade;`);

    this.addSql(`drop table if exists "mandate_health_regions" cascade;`);

    this.addSql(`drop table if exists "events" cascade;`);

    this.addSql(`drop table if exists "participations" cascade;`);
  }

}
