import type { Command } from 'commander';
import { loadConfig } from '../config';
import { createMigrations } from '../db/migration-maker';
import { initOrm, migrate, withStartupLock } from '../db/orm';
import { emitSchemaFile } from '../graphql/schema';
import { exitOnStartupError, serve } from '../server';

export function registerDbCommands(program: Command): void {
  program
    .command('serve')
    .description('start the API (migrates and seeds on start)')
    .action(async () => {
      await serve().catch(exitOnStartupError);
    });

  program
    .command('migrate')
    .description('apply pending migrations to DATABASE_URL')
    .action(async () => {
      const { database } = loadConfig();
      const orm = await initOrm({ database });
      try {
        // The same lock as the API's start: never two migrators at once.
        const applied = await withStartupLock(database, () => migrate(orm));
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
        );
      } finally {
        await orm.close(true);
      }
    });

  program
    .command('schema:emit')
    .description('write schema/schema.graphql from the resolvers')
    .action(async () => {
      process.stdout.write(`wrote ${await emitSchemaFile()}\n`);
    });

  program
    .command('db:migration')
    .description('generate SQLite and PostgreSQL migrations from the entities (developers)')
    .argument('<name>', 'short name, e.g. add-saved-queries')
    .option(
      '--postgres <url>',
      'PostgreSQL server for the scratch database',
      'postgres://postgres@127.0.0.1:5432/postgres',
    )
    .action(async (name: string, options: { postgres: string }) => {
      const files = await createMigrations(name.replace(/[^a-zA-Z0-9]+/g, '_'), options.postgres);
      process.stdout.write(files.length ? `wrote:\n${files.join('\n')}\n` : 'no schema changes\n');
    });
}
