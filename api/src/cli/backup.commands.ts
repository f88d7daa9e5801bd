import type { Command } from 'commander';
import { loadConfig } from '../config';
import { backupDatabase, restoreDatabase } from '../db/backup';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'copy the database while the server runs (SQLite VACUUM INTO, PostgreSQL pg_dump -Fc)',
    )
    .option(
      '-o, --out <file>',
      'where to write the backup (default: backups/rede-hub-<time>.sqlite|.dump)',
    )
    .action(async (options: { out?: string }) => {
      const result = await backupDatabase(loadConfig().database, options.out);
      process.stdout.write(
        `wrote ${result.file} (${result.bytes} bytes)\nto restore: ${result.restoreHint}\n`,
      );
    });

  program
    .command('restore')
    .description('replace the database with a backup (stop the server first)')
    .argument('<file>', 'a file written by `backup`')
    .option('--force', 'replace an existing SQLite database file')
    .action(async (file: string, options: { force?: boolean }) => {
      const target = loadConfig().database;
      await restoreDatabase(target, file, options);
      process.stdout.write(
        `restored ${file} into ${target.driver === 'sqlite' ? target.file : 'DATABASE_URL'}\n`,
      );
    });
}
