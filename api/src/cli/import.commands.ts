import type { Command } from 'commander';
import os from 'node:os';
import { revertImport } from '../audit/revert-import';
import { AuditVia } from '../audit/audit.enums';
import { systemViewer } from '../auth/viewer';
import { loadConfig } from '../config';
import { AppError, UnreachableCaseError } from '../graphql/errors';
import { initOrm, migrate } from '../db/orm';
import { type ImportOutcome, runImport } from '../imports/import.engine';
import { progressReporter } from '../imports/import.progress';
import { describePlans } from '../imports/import.plan';
import { importKinds } from '../imports/import.kinds';

interface ImportCommandOptions {
  dryRun?: boolean;
  prune?: boolean;
  asOf?: string;
  as?: string;
  force?: boolean;
  examples: string;
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `import` and `import:revert`. */
export function registerImportCommands(program: Command): void {
  const kinds = Object.values(importKinds);
  program
    .command('import')
    .description(
      'import seed files (CSV, XLSX, JSON): validate every row, diff, apply in one transaction',
    )
    .argument('<kind>', `what the files hold: ${Object.keys(importKinds).join(', ')}`)
    .argument('<files...>', 'one or more files of that kind')
    .option('--dry-run', 'print the diff (create/update/unchanged/delete) and write nothing')
    .option('--prune', 'soft-delete rows of this kind and scope that the files no longer have')
    .option('--as-of <date>', 'day the data is true on (YYYY-MM-DD); default today')
    .option('--as <name>', 'who runs the import, for the audit log; default the OS user')
    .option('--force', 'apply even when the same file was the last one applied')
    .option(
      '--examples <n|all>',
      'changes listed per entity and action (`all`: every change, e.g. every name a dry run would change)',
      '3',
    )
    .addHelpText(
      'after',
      `\nKinds:\n${kinds.map((kind) => `  ${kind.name.padEnd(20)} ${kind.description}`).join('\n')}\n`,
    )
    .action(async (kindName: string, files: string[], options: ImportCommandOptions) => {
      const kind = importKinds[kindName];
      if (!kind) {
        throw new Error(
          `unknown import kind "${kindName}"; use one of ${Object.keys(importKinds).join(', ')}`,
        );
      }
      if (options.examples !== 'all' && !/^\d+$/.test(options.examples)) {
        throw new Error(`--examples must be a number or "all" (got "${options.examples}")`);
      }
      if (options.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.asOf)) {
        throw new Error(`--as-of must be a date as YYYY-MM-DD (got "${options.asOf}")`);
      }
      const orm = await initOrm({ database: loadConfig().database });
      const progress = progressReporter();
      const started = Date.now();
      const examples =
        options.examples === 'all' ? Number.POSITIVE_INFINITY : Number(options.examples);
      try {
        await migrate(orm);
        const outcome = await runImport(orm, {
          kind,
          files,
          dryRun: options.dryRun,
          prune: options.prune,
          asOf: options.asOf,
          actor: options.as ?? osUser(),
          force: options.force,
          examples,
          onProgress: (phase, done, total, rows) => progress.update(phase, done, total, rows),
        });
        progress.stop();
        report(outcome, kind.name, examples, (Date.now() - started) / 1000);
      } finally {
        progress.stop();
        await orm.close(true);
      }
    });
  registerRevertCommand(program);
}

/** `import:revert <id>`: one transaction, audited as REVERT; conflicts listed on stderr. */
function registerRevertCommand(program: Command): void {
  program
    .command('import:revert')
    .description(
      'undo an import: rows it updated get their old values, rows it created are soft-deleted, rows it pruned come back (one transaction, audited as REVERT)',
    )
    .argument('<id>', 'number of the import run (see `imports` in GraphQL or the import output)')
    .option('--force', 'revert rows changed after the import too (their later changes are lost)')
    .option('--as <name>', 'who reverts it, for the audit log; default the OS user')
    .action(async (id: string, options: { force?: boolean; as?: string }) => {
      if (!/^\d+$/.test(id)) {
        throw new Error(`the import run id must be a number (got "${id}")`);
      }
      const config = loadConfig();
      const orm = await initOrm({ database: config.database });
      try {
        await migrate(orm);
        const result = await revertImport(
          {
            em: orm.em.fork(),
            viewer: systemViewer(options.as ?? osUser()),
            via: AuditVia.IMPORT,
            lockRows: config.database.driver === 'postgresql',
          },
          Number(id),
          { force: options.force },
        );
        process.stdout.write(
          `import #${result.importRunId} reverted: ${result.reverted} row(s) written back, each audited as REVERT\n`,
        );
      } catch (error) {
        if (!(error instanceof AppError)) {
          throw error;
        }
        process.stderr.write(`${error.message}\n`);
        const conflicts = (error.extensions.current as { conflicts?: unknown[] } | undefined)
          ?.conflicts;
        for (const conflict of conflicts ?? []) {
          process.stderr.write(`  ${JSON.stringify(conflict)}\n`);
        }
        process.exitCode = 1;
      } finally {
        await orm.close(true);
      }
    });
}

/** What an import did, on stdout (a refused file's problems on stderr, exit code 1). */
function report(outcome: ImportOutcome, kindName: string, examples: number, seconds: number): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  outcome.notes.forEach((note) => out(`note: ${note}`));
  switch (outcome.status) {
    case 'invalid':
      outcome.issues.lines().forEach((line) => process.stderr.write(`${line}\n`));
      process.stderr.write(
        `${outcome.issues.total} problem(s) found; nothing was written${outcome.runId ? ` (recorded as failed import #${outcome.runId})` : ''}\n`,
      );
      process.exitCode = 1;
      break;
    case 'skipped':
      out(
        `unchanged file (sha256 ${outcome.sha256.slice(0, 12)}…) was already applied by import #${outcome.previousRunId}; nothing to do (--force applies it again)`,
      );
      break;
    case 'dry-run':
      out(`dry run of ${kindName}: ${outcome.rows} valid rows; nothing was written`);
      describePlans(outcome.plans, examples).forEach(out);
      break;
    case 'unchanged':
      describePlans(outcome.plans, 0).forEach(out);
      out(`everything is unchanged; nothing was written (${outcome.rows} rows)`);
      break;
    case 'applied':
      describePlans(outcome.plans, examples).forEach(out);
      out(
        `import #${outcome.runId} applied: ${outcome.rows} rows in ${seconds.toFixed(1)} s (${Math.round(outcome.rows / Math.max(seconds, 0.001))} rows/s)`,
      );
      break;
    default:
      throw new UnreachableCaseError(outcome);
  }
}
