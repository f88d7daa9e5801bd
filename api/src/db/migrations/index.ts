import type { MigrationObject } from '@mikro-orm/core';
import { postgresqlMigrations } from './postgresql';
import { sqliteMigrations } from './sqlite';

/** Each dialect has its own committed migrations, generated from the same entities. */
export function migrationsFor(driver: 'sqlite' | 'postgresql'): MigrationObject[] {
  return driver === 'postgresql' ? postgresqlMigrations : sqliteMigrations;
}
