import { type Deadline } from './execution';
import { describeError, translate, type Locale } from './i18n';
import { pendingJobs, refreshTable } from './pull';
import { requestCounter } from './services';
import { listBindings } from './table-store';

export interface TableReport {
  id: string;
  title: string;
  status: 'done' | 'continuing' | 'failed' | 'waiting';
  message: string;
}

/**
 * Time a table needs left on the clock to be worth starting: a few requests (the query, a count,
 * a first page), at least 20 seconds.
 */
function startEstimate(): number {
  return Math.max(20 * 1000, 3 * requestCounter.slowestMs);
}

/**
 * Refreshes tables (all, or `ids`) within one execution's deadline, shared by all of them:
 * tables with a pull in progress go first, then the longest without a run; a table that fails is recorded on it (with its
 * attempt count) and tried once more at the end if time is left, while the others go on; what
 * the deadline does not reach waits for the next run.
 */
export function refreshTables(
  ids: readonly string[] | null,
  deadline: Deadline,
  locale: Locale,
): TableReport[] {
  const pending = new Set(pendingJobs().map((job) => job.tableId));
  const lastRun = (at: string | undefined) => at ?? '';
  const tables = listBindings()
    .filter((binding) => !ids || ids.includes(binding.id))
    .sort(
      (a, b) =>
        Number(pending.has(b.id)) - Number(pending.has(a.id)) ||
        lastRun(a.lastRun?.at).localeCompare(lastRun(b.lastRun?.at)),
    );
  const reports = new Map<string, TableReport>();
  const attempt = (id: string, title: string) => {
    if (!deadline.allows(startEstimate())) {
      reports.set(id, { id, title, status: 'waiting', message: translate(locale, 'waiting') });
      return;
    }
    try {
      const outcome = refreshTable(id, deadline, locale);
      reports.set(id, {
        id,
        title,
        status: outcome.status,
        message:
          outcome.status === 'done'
            ? translate(locale, 'refreshed', { rows: outcome.rows, kept: outcome.kept })
            : translate(locale, 'continuing', { rows: outcome.job.staged }),
      });
    } catch (error) {
      const attempts = listBindings().find((binding) => binding.id === id)?.lastRun?.attempts ?? 1;
      reports.set(id, {
        id,
        title,
        status: 'failed',
        message: translate(locale, 'failed', { attempts, message: describeError(locale, error) }),
      });
    }
  };
  for (const table of tables) {
    attempt(table.id, table.title);
  }
  for (const table of tables) {
    if (reports.get(table.id)?.status === 'failed') {
      attempt(table.id, table.title);
    }
  }
  return tables.map((table) => reports.get(table.id)!);
}

export function reportText(reports: readonly TableReport[], locale: Locale): string {
  return reports.length === 0
    ? translate(locale, 'noTables')
    : reports.map((report) => `${report.title}: ${report.message}`).join('\n');
}
