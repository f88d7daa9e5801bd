import { Migration } from '@mikro-orm/migrations';

export class Migration20261123160801_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`api_keys\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`name\` text not null, \`prefix\` text not null, \`secret_hash\` text not null, \`role\` text check (\`role\` in ('READER', 'EDITOR', 'ADMIN')) not null, \`state_uf\` text null, \`revoked_at\` datetime null, \`last_used_at\` datetime null);`);
    this.addSql(`create index \`api_keys_deleted_at_index\` on \`api_keys\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`api_keys_prefix_unique\` on \`api_keys\` (\`prefix\`);`);

    this.addSql(`create table \`audit_entries\` (\`id\` integer not null primary key autoincrement, \`at\` datetime not null, \`actor\` text not null, \`api_key_id\` integer null, \`entity_type\` text not null, \`entity_id\` integer not null, \`action\` text check (\`action\` in ('CREATE', 'UPDATE', 'DELETE', 'RESTORE', 'REVERT')) not null, \`before\` json null, \`after\` json null, \`via\` text check (\`via\` in ('API', 'IMPORT', 'SHEETS', 'SYSTEM')) not null, \`request_id\` text null, \`import_run_id\` integer null, \`state_uf\` text null);`);
    this.addSql(`create index \`audit_entries_at_index\` on \`audit_entries\` (\`at\`);`);
    this.addSql(`create index \`audit_entries_actor_index\` on \`audit_entries\` (\`actor\`);`);
    this.addSql(`create index \`audit_entries_action_index\` on \`audit_entries\` (\`action\`);`);
    this.addSql(`create index \`audit_entries_via_index\` on \`audit_entries\` (\`via\`);`);
    this.addSql(`create index \`audit_entries_request_id_index\` on \`audit_entries\` (\`request_id\`);`);
    this.addSql(`create index \`audit_entries_import_run_id_index\` on \`audit_entries\` (\`import_run_id\`);`);
    this.addSql(`create index \`audit_entries_state_uf_index\` on \`audit_entries\` (\`state_uf\`);`);
    this.addSql(`create index \`audit_entries_entity_type_entity_id_index\` on \`audit_entries\` (\`entity_type\`, \`entity_id\`);`);

    this.addSql(`create table \`import_runs\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`kind\` text not null, \`file_names\` json not null, \`sha256\` text not null, \`status\` text check (\`status\` in ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'DRY_RUN', 'REVERTED')) not null, \`actor\` text not null, \`started_at\` datetime not null, \`finished_at\` datetime null, \`counts\` json not null, \`errors\` json not null, \`as_of\` text null);`);
    this.addSql(`create index \`import_runs_deleted_at_index\` on \`import_runs\` (\`deleted_at\`);`);
    this.addSql(`create index \`import_runs_kind_index\` on \`import_runs\` (\`kind\`);`);
    this.addSql(`create index \`import_runs_sha256_index\` on \`import_runs\` (\`sha256\`);`);
    this.addSql(`create index \`import_runs_status_index\` on \`import_runs\` (\`status\`);`);

    this.addSql(`create table \`people\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text not null, \`name\` text not null, \`name_search\` text not null, \`email\` text null, \`phone\` text null, \`demo\` integer not null default false);`);
    this.addSql(`create index \`people_deleted_at_index\` on \`people\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`people_code_unique\` on \`people\` (\`code\`);`);
    this.addSql(`create index \`people_name_index\` on \`people\` (\`name\`);`);
    this.addSql(`create index \`people_name_search_index\` on \`people\` (\`name_search\`);`);
    this.addSql(`create index \`people_demo_index\` on \`people\` (\`demo\`);`);

    this.addSql(`create table \`programs\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text not null, \`name\` text not null, \`description\` text null, \`adhesion_opens_on\` text not null, \`adhesion_closes_on\` text not null, \`decision_business_days\` integer not null default 3, \`validity_months\` integer not null default 24);`);
    this.addSql(`create index \`programs_deleted_at_index\` on \`programs\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`programs_code_unique\` on \`programs\` (\`code\`);`);

    this.addSql(`create table \`saved_queries\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`name\` text not null, \`description\` text null, \`query\` text not null, \`variables\` json null, \`state_uf\` text null, \`created_by\` text not null);`);
    this.addSql(`create index \`saved_queries_deleted_at_index\` on \`saved_queries\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`saved_queries_name_unique\` on \`saved_queries\` (\`name\`);`);
    this.addSql(`create index \`saved_queries_state_uf_index\` on \`saved_queries\` (\`state_uf\`);`);

    this.addSql(`create table \`export_tokens\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`saved_query_id\` integer not null, \`prefix\` text not null, \`secret_hash\` text not null, \`created_by\` text not null, \`revoked_at\` datetime null, constraint \`export_tokens_saved_query_id_foreign\` foreign key(\`saved_query_id\`) references \`saved_queries\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`export_tokens_deleted_at_index\` on \`export_tokens\` (\`deleted_at\`);`);
    this.addSql(`create index \`export_tokens_saved_query_id_index\` on \`export_tokens\` (\`saved_query_id\`);`);
    this.addSql(`create unique index \`export_tokens_prefix_unique\` on \`export_tokens\` (\`prefix\`);`);

    this.addSql(`create table \`states\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`uf\` text not null, \`ibge_code\` text not null, \`name\` text not null, \`region\` text check (\`region\` in ('NORTE', 'NORDESTE', 'SUDESTE', 'SUL', 'CENTRO_OESTE')) not null);`);
    this.addSql(`create index \`states_deleted_at_index\` on \`states\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`states_uf_unique\` on \`states\` (\`uf\`);`);
    this.addSql(`create unique index \`states_ibge_code_unique\` on \`states\` (\`ibge_code\`);`);
    this.addSql(`create index \`states_region_index\` on \`states\` (\`region\`);`);

    this.addSql(`create table \`organizations\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text not null, \`name\` text not null, \`kind\` text check (\`kind\` in ('CONASEMS', 'COSEMS', 'SES', 'MS', 'OPAS', 'MUNICIPAL_SECRETARIAT', 'OTHER')) not null, \`state_id\` integer null, constraint \`organizations_state_id_foreign\` foreign key(\`state_id\`) references \`states\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`organizations_deleted_at_index\` on \`organizations\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`organizations_code_unique\` on \`organizations\` (\`code\`);`);
    this.addSql(`create index \`organizations_kind_index\` on \`organizations\` (\`kind\`);`);
    this.addSql(`create index \`organizations_state_id_index\` on \`organizations\` (\`state_id\`);`);

    this.addSql(`create table \`health_macroregions\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text not null, \`name\` text not null, \`name_search\` text not null, \`state_id\` integer not null, \`demo\` integer not null default false, constraint \`health_macroregions_state_id_foreign\` foreign key(\`state_id\`) references \`states\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`health_macroregions_deleted_at_index\` on \`health_macroregions\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`health_macroregions_code_unique\` on \`health_macroregions\` (\`code\`);`);
    this.addSql(`create index \`health_macroregions_name_search_index\` on \`health_macroregions\` (\`name_search\`);`);
    this.addSql(`create index \`health_macroregions_state_id_index\` on \`health_macroregions\` (\`state_id\`);`);

    this.addSql(`create table \`health_regions\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text not null, \`name\` text not null, \`name_search\` text not null, \`state_id\` integer not null, \`macroregion_id\` integer null, \`seat_municipality_id\` integer null, \`demo\` integer not null default false, constraint \`health_regions_state_id_foreign\` foreign key(\`state_id\`) references \`states\`(\`id\`) on update cascade, constraint \`health_regions_macroregion_id_foreign\` foreign key(\`macroregion_id\`) references \`health_macroregions\`(\`id\`) on delete set null on update cascade, constraint \`health_regions_seat_municipality_id_foreign\` foreign key(\`seat_municipality_id\`) references \`municipalities\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`health_regions_deleted_at_index\` on \`health_regions\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`health_regions_code_unique\` on \`health_regions\` (\`code\`);`);
    this.addSql(`create index \`health_regions_name_search_index\` on \`health_regions\` (\`name_search\`);`);
    this.addSql(`create index \`health_regions_state_id_index\` on \`health_regions\` (\`state_id\`);`);
    this.addSql(`create index \`health_regions_macroregion_id_index\` on \`health_regions\` (\`macroregion_id\`);`);
    this.addSql(`create index \`health_regions_seat_municipality_id_index\` on \`health_regions\` (\`seat_municipality_id\`);`);

    this.addSql(`create table \`municipalities\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`ibge_code\` text not null, \`name\` text not null, \`name_search\` text not null, \`state_id\` integer not null, \`health_region_id\` integer null, \`is_capital\` integer not null default false, \`population\` integer null, \`population_year\` integer null, \`size_class\` text check (\`size_class\` in ('UP_TO_5K', 'FROM_5K_TO_10K', 'FROM_10K_TO_20K', 'FROM_20K_TO_50K', 'FROM_50K_TO_100K', 'FROM_100K_TO_500K', 'OVER_500K')) null, \`management_type\` text check (\`management_type\` in ('APS_ONLY', 'PARTIAL_MEDIUM_COMPLEXITY', 'FULL')) null, \`latitude\` double null, \`longitude\` double null, constraint \`municipalities_state_id_foreign\` foreign key(\`state_id\`) references \`states\`(\`id\`) on update cascade, constraint \`municipalities_health_region_id_foreign\` foreign key(\`health_region_id\`) references \`health_regions\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`municipalities_deleted_at_index\` on \`municipalities\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`municipalities_ibge_code_unique\` on \`municipalities\` (\`ibge_code\`);`);
    this.addSql(`create index \`municipalities_name_index\` on \`municipalities\` (\`name\`);`);
    this.addSql(`create index \`municipalities_name_search_index\` on \`municipalities\` (\`name_search\`);`);
    this.addSql(`create index \`municipalities_state_id_index\` on \`municipalities\` (\`state_id\`);`);
    this.addSql(`create index \`municipalities_health_region_id_index\` on \`municipalities\` (\`health_region_id\`);`);
    this.addSql(`create index \`municipalities_is_capital_index\` on \`municipalities\` (\`is_capital\`);`);
    this.addSql(`create index \`municipalities_population_index\` on \`municipalities\` (\`population\`);`);
    this.addSql(`create index \`municipalities_size_class_index\` on \`municipalities\` (\`size_class\`);`);
    this.addSql(`create index \`municipalities_management_type_index\` on \`municipalities\` (\`management_type\`);`);
    this.addSql(`create index \`municipalities_state_id_name_index\` on \`municipalities\` (\`state_id\`, \`name\`);`);

    this.addSql(`create table \`region_memberships\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`municipality_id\` integer not null, \`health_region_id\` integer not null, \`valid_from\` text null, \`valid_to\` text null, constraint \`region_memberships_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on update cascade, constraint \`region_memberships_health_region_id_foreign\` foreign key(\`health_region_id\`) references \`health_regions\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`region_memberships_deleted_at_index\` on \`region_memberships\` (\`deleted_at\`);`);
    this.addSql(`create index \`region_memberships_municipality_id_index\` on \`region_memberships\` (\`municipality_id\`);`);
    this.addSql(`create index \`region_memberships_health_region_id_index\` on \`region_memberships\` (\`health_region_id\`);`);
    this.addSql(`create index \`region_memberships_valid_to_index\` on \`region_memberships\` (\`valid_to\`);`);
    this.addSql(`create index \`region_memberships_municipality_id_valid_from_index\` on \`region_memberships\` (\`municipality_id\`, \`valid_from\`);`);

    this.addSql(`create table \`population_estimates\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`municipality_id\` integer not null, \`year\` integer not null, \`population\` integer not null, constraint \`population_estimates_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`population_estimates_deleted_at_index\` on \`population_estimates\` (\`deleted_at\`);`);
    this.addSql(`create index \`population_estimates_municipality_id_index\` on \`population_estimates\` (\`municipality_id\`);`);
    this.addSql(`create index \`population_estimates_year_index\` on \`population_estimates\` (\`year\`);`);
    this.addSql(`create unique index \`population_estimates_municipality_id_year_unique\` on \`population_estimates\` (\`municipality_id\`, \`year\`);`);

    this.addSql(`create table \`mandates\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text null, \`person_id\` integer not null, \`organization_id\` integer null, \`role\` text check (\`role\` in ('APOIADOR', 'STATE_COORDINATOR', 'FACILITATOR', 'NATIONAL_COORDINATOR', 'MUNICIPAL_SECRETARY', 'MAYOR', 'BOARD_MEMBER', 'COUNCIL_SEAT', 'TECHNICAL_ADVISER')) not null, \`seat\` text check (\`seat\` in ('TITULAR', 'SUPLENTE')) null, \`state_id\` integer null, \`municipality_id\` integer null, \`start_date\` text not null, \`end_date\` text null, \`demo\` integer not null default false, constraint \`mandates_person_id_foreign\` foreign key(\`person_id\`) references \`people\`(\`id\`) on update cascade, constraint \`mandates_organization_id_foreign\` foreign key(\`organization_id\`) references \`organizations\`(\`id\`) on delete set null on update cascade, constraint \`mandates_state_id_foreign\` foreign key(\`state_id\`) references \`states\`(\`id\`) on delete set null on update cascade, constraint \`mandates_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`mandates_deleted_at_index\` on \`mandates\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`mandates_code_unique\` on \`mandates\` (\`code\`);`);
    this.addSql(`create index \`mandates_person_id_index\` on \`mandates\` (\`person_id\`);`);
    this.addSql(`create index \`mandates_organization_id_index\` on \`mandates\` (\`organization_id\`);`);
    this.addSql(`create index \`mandates_role_index\` on \`mandates\` (\`role\`);`);
    this.addSql(`create index \`mandates_state_id_index\` on \`mandates\` (\`state_id\`);`);
    this.addSql(`create index \`mandates_municipality_id_index\` on \`mandates\` (\`municipality_id\`);`);
    this.addSql(`create index \`mandates_start_date_index\` on \`mandates\` (\`start_date\`);`);
    this.addSql(`create index \`mandates_end_date_index\` on \`mandates\` (\`end_date\`);`);
    this.addSql(`create index \`mandates_demo_index\` on \`mandates\` (\`demo\`);`);
    this.addSql(`create index \`mandates_municipality_id_role_index\` on \`mandates\` (\`municipality_id\`, \`role\`);`);
    this.addSql(`create index \`mandates_role_start_date_end_date_index\` on \`mandates\` (\`role\`, \`start_date\`, \`end_date\`);`);

    this.addSql(`create table \`instrument_statuses\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`municipality_id\` integer not null, \`instrument\` text check (\`instrument\` in ('PMS', 'PAS', 'RAG', 'RDQA', 'SIOPS', 'DIGISUS')) not null, \`period\` text not null, \`status\` text check (\`status\` in ('PENDING', 'IN_PROGRESS', 'SENT', 'APPROVED')) not null, \`status_date\` text null, \`due_date\` text null, \`demo\` integer not null default false, constraint \`instrument_statuses_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`instrument_statuses_deleted_at_index\` on \`instrument_statuses\` (\`deleted_at\`);`);
    this.addSql(`create index \`instrument_statuses_municipality_id_index\` on \`instrument_statuses\` (\`municipality_id\`);`);
    this.addSql(`create index \`instrument_statuses_status_index\` on \`instrument_statuses\` (\`status\`);`);
    this.addSql(`create index \`instrument_statuses_instrument_period_status_index\` on \`instrument_statuses\` (\`instrument\`, \`period\`, \`status\`);`);
    this.addSql(`create unique index \`instrument_statuses_municipality_id_instrument_period_unique\` on \`instrument_statuses\` (\`municipality_id\`, \`instrument\`, \`period\`);`);

    this.addSql(`create table \`enrolments\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`person_id\` integer not null, \`program_id\` integer not null, \`municipality_id\` integer not null, \`enrolled_on\` text not null, constraint \`enrolments_person_id_foreign\` foreign key(\`person_id\`) references \`people\`(\`id\`) on update cascade, constraint \`enrolments_program_id_foreign\` foreign key(\`program_id\`) references \`programs\`(\`id\`) on update cascade, constraint \`enrolments_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`enrolments_deleted_at_index\` on \`enrolments\` (\`deleted_at\`);`);
    this.addSql(`create index \`enrolments_person_id_index\` on \`enrolments\` (\`person_id\`);`);
    this.addSql(`create index \`enrolments_program_id_index\` on \`enrolments\` (\`program_id\`);`);
    this.addSql(`create index \`enrolments_municipality_id_index\` on \`enrolments\` (\`municipality_id\`);`);
    this.addSql(`create unique index \`enrolments_person_id_program_id_unique\` on \`enrolments\` (\`person_id\`, \`program_id\`);`);

    this.addSql(`create table \`adhesions\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`municipality_id\` integer not null, \`program_id\` integer not null, \`status\` text check (\`status\` in ('REQUESTED', 'APPROVED', 'REJECTED', 'SUSPENDED', 'EXPIRED')) not null, \`requested_on\` text not null, \`decision_due_on\` text null, \`decided_on\` text null, \`valid_until\` text null, \`notes\` text null, \`demo\` integer not null default false, constraint \`adhesions_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on update cascade, constraint \`adhesions_program_id_foreign\` foreign key(\`program_id\`) references \`programs\`(\`id\`) on update cascade);`);
    this.addSql(`create index \`adhesions_deleted_at_index\` on \`adhesions\` (\`deleted_at\`);`);
    this.addSql(`create index \`adhesions_municipality_id_index\` on \`adhesions\` (\`municipality_id\`);`);
    this.addSql(`create index \`adhesions_program_id_index\` on \`adhesions\` (\`program_id\`);`);
    this.addSql(`create index \`adhesions_status_index\` on \`adhesions\` (\`status\`);`);
    this.addSql(`create index \`adhesions_valid_until_index\` on \`adhesions\` (\`valid_until\`);`);
    this.addSql(`create unique index \`adhesions_municipality_id_program_id_unique\` on \`adhesions\` (\`municipality_id\`, \`program_id\`);`);

    this.addSql(`create table \`mandate_health_regions\` (\`mandate_id\` integer not null, \`health_region_id\` integer not null, constraint \`mandate_health_regions_mandate_id_foreign\` foreign key(\`mandate_id\`) references \`mandates\`(\`id\`) on delete cascade on update cascade, constraint \`mandate_health_regions_health_region_id_foreign\` foreign key(\`health_region_id\`) references \`health_regions\`(\`id\`) on delete cascade on update cascade, primary key (\`mandate_id\`, \`health_region_id\`));`);
    this.addSql(`create index \`mandate_health_regions_mandate_id_index\` on \`mandate_health_regions\` (\`mandate_id\`);`);
    this.addSql(`create index \`mandate_health_regions_health_region_id_index\` on \`mandate_health_regions\` (\`health_region_id\`);`);

    this.addSql(`create table \`events\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`code\` text null, \`kind\` text check (\`kind\` in ('CIR_MEETING', 'CIB_MEETING', 'BOARD_MEETING', 'ASSEMBLY', 'WEB_OFICINA', 'WEB_MEETING', 'TRAINING', 'CONGRESS', 'TECHNICAL_VISIT', 'SETEC', 'OTHER')) not null, \`title\` text not null, \`start_date\` text not null, \`end_date\` text null, \`modality\` text check (\`modality\` in ('IN_PERSON', 'ONLINE', 'HYBRID')) not null, \`organization_id\` integer null, \`state_id\` integer null, \`health_region_id\` integer null, \`municipality_id\` integer null, \`topics\` json not null default '[]', \`participant_count\` integer null, \`access_count\` integer null, \`notes\` text null, \`demo\` integer not null default false, constraint \`events_organization_id_foreign\` foreign key(\`organization_id\`) references \`organizations\`(\`id\`) on delete set null on update cascade, constraint \`events_state_id_foreign\` foreign key(\`state_id\`) references \`states\`(\`id\`) on delete set null on update cascade, constraint \`events_health_region_id_foreign\` foreign key(\`health_region_id\`) references \`health_regions\`(\`id\`) on delete set null on update cascade, constraint \`events_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`events_deleted_at_index\` on \`events\` (\`deleted_at\`);`);
    this.addSql(`create unique index \`events_code_unique\` on \`events\` (\`code\`);`);
    this.addSql(`create index \`events_kind_index\` on \`events\` (\`kind\`);`);
    this.addSql(`create index \`events_start_date_index\` on \`events\` (\`start_date\`);`);
    this.addSql(`create index \`events_modality_index\` on \`events\` (\`modality\`);`);
    this.addSql(`create index \`events_organization_id_index\` on \`events\` (\`organization_id\`);`);
    this.addSql(`create index \`events_state_id_index\` on \`events\` (\`state_id\`);`);
    this.addSql(`create index \`events_health_region_id_index\` on \`events\` (\`health_region_id\`);`);
    this.addSql(`create index \`events_municipality_id_index\` on \`events\` (\`municipality_id\`);`);
    this.addSql(`create index \`events_demo_index\` on \`events\` (\`demo\`);`);
    this.addSql(`create index \`events_kind_start_date_index\` on \`events\` (\`kind\`, \`start_date\`);`);
    this.addSql(`create index \`events_health_region_id_start_date_index\` on \`events\` (\`health_region_id\`, \`start_date\`);`);
    this.addSql(`create index \`events_state_id_start_date_index\` on \`events\` (\`state_id\`, \`start_date\`);`);

    this.addSql(`create table \`participations\` (\`id\` integer not null primary key autoincrement, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`version\` integer not null default 1, \`deleted_at\` datetime null, \`source\` text null, \`event_id\` integer not null, \`person_id\` integer null, \`municipality_id\` integer null, \`role\` text check (\`role\` in ('ORGANISER', 'SPEAKER', 'ATTENDEE')) not null default 'ATTENDEE', constraint \`participations_event_id_foreign\` foreign key(\`event_id\`) references \`events\`(\`id\`) on update cascade, constraint \`participations_person_id_foreign\` foreign key(\`person_id\`) references \`people\`(\`id\`) on delete set null on update cascade, constraint \`participations_municipality_id_foreign\` foreign key(\`municipality_id\`) references \`municipalities\`(\`id\`) on delete set null on update cascade);`);
    this.addSql(`create index \`participations_deleted_at_index\` on \`participations\` (\`deleted_at\`);`);
    this.addSql(`create index \`participations_event_id_index\` on \`participations\` (\`event_id\`);`);
    this.addSql(`create index \`participations_person_id_index\` on \`participations\` (\`person_id\`);`);
    this.addSql(`create index \`participations_municipality_id_index\` on \`participations\` (\`municipality_id\`);`);
  }

}
