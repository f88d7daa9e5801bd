/** The one table of a run: every target's figures, and Rede Hub's ratios to the peer and the floor. */
import type { LoadResult } from './load';

export type TargetId = 'redeHub' | 'postgraphile' | 'floor' | 'rawSql' | 'redeHubSqlite';

export interface TargetReport {
  load: LoadResult;
  statementsPerRequest?: number;
  rssPeakMb?: number;
}

export interface CaseReport {
  id: string;
  title: string;
  connections: number;
  targets: Partial<Record<TargetId, TargetReport>>;
  notes: string[];
}

const labels: Record<TargetId, string> = {
  redeHub: 'Rede Hub (PostgreSQL)',
  postgraphile: 'PostGraphile v5',
  floor: 'SQL floor over HTTP',
  rawSql: 'SQL floor, raw query',
  redeHubSqlite: 'Rede Hub (SQLite)',
};

const order: TargetId[] = ['redeHub', 'postgraphile', 'floor', 'rawSql', 'redeHubSqlite'];

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '' : value.toFixed(digits);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || !b ? '' : `${(a / b).toFixed(2)}×`;
}

export function renderTable(reports: readonly CaseReport[]): string {
  const lines = [
    '| case | target | conns | p50 ms | p99 ms | req/s | server CPU ms/req | p50 vs PostGraphile | req/s vs PostGraphile | CPU vs PostGraphile | p50 vs floor (HTTP) | p50 vs raw SQL | SQL stmts/req | peak RSS MB |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const report of reports) {
    const peer = report.targets.postgraphile?.load;
    const floor = report.targets.floor?.load;
    const raw = report.targets.rawSql?.load;
    for (const id of order) {
      const entry = report.targets[id];
      if (!entry) {
        continue;
      }
      const isRedeHub = id === 'redeHub' || id === 'redeHubSqlite';
      const load = entry.load;
      lines.push(
        [
          report.id,
          labels[id],
          id === 'rawSql' ? '1' : String(report.connections),
          fixed(load.p50, 2),
          fixed(load.p99, 2),
          fixed(load.throughput, load.throughput < 10 ? 2 : 0),
          fixed(load.cpuMsPerRequest, 1),
          isRedeHub ? ratio(load.p50, peer?.p50) : '',
          isRedeHub ? ratio(load.throughput, peer?.throughput) : '',
          isRedeHub ? ratio(load.cpuMsPerRequest, peer?.cpuMsPerRequest) : '',
          isRedeHub ? ratio(load.p50, floor?.p50) : '',
          isRedeHub ? ratio(load.p50, raw?.p50) : '',
          fixed(entry.statementsPerRequest, 1),
          fixed(entry.rssPeakMb, 0),
        ]
          .join(' | ')
          .replace(/^/, '| ')
          .replace(/$/, ' |'),
      );
    }
    for (const note of report.notes) {
      lines.push(`| ${report.id} | note: ${note.replace(/\|/g, '/')} |||||||||||||`);
    }
  }
  return lines.join('\n');
}
