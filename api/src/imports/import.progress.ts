import { Presets, SingleBar } from 'cli-progress';
import type { ImportPhase } from './import.engine';

const labels: Record<ImportPhase, string> = { validate: 'validating', apply: 'applying' };

/** What the bar and the plain lines show: the rows so far and their rate in this phase. */
function payload(done: number, total: number, rows: number | undefined, rate: number) {
  return {
    rows: rows === undefined ? `${done}/${total}` : String(rows),
    rate: String(Math.round(rate)),
  };
}

/**
 * Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise (cron,
 * CI logs), so stdout stays the diff and the summary.
 *
 * `update(phase, done, total)` counts rows; a file read as a stream passes bytes read and file
 * bytes as `done`/`total` (so the percentage and the ETA are right) and the rows read so far as
 * `rows`.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, intervalMs = 2000) {
  let bar: SingleBar | null = null;
  let phase: ImportPhase | null = null;
  // The rate counts the rows since the phase began: the first phase when the reporter was made
  // (the rows before its first update count), the next ones at their first update.
  let since = Date.now();
  let baseline = 0;
  let lastLine = 0;
  return {
    update(next: ImportPhase, done: number, total: number, rows?: number): void {
      const now = Date.now();
      const count = rows ?? done;
      if (phase !== null && phase !== next) {
        since = now;
        baseline = count;
      }
      const seconds = (now - since) / 1000;
      const tokens = payload(done, total, rows, seconds > 0 ? (count - baseline) / seconds : 0);
      if (stream.isTTY) {
        if (phase !== next) {
          bar?.stop();
          bar = new SingleBar(
            {
              format: `${labels[next].padEnd(10)} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`,
              stream,
              hideCursor: true,
            },
            Presets.shades_classic,
          );
          bar.start(total, done, tokens);
          phase = next;
        }
        bar!.setTotal(total);
        bar!.update(done, tokens);
        return;
      }
      if (phase !== next || now - lastLine >= intervalMs || done === total) {
        const read =
          rows === undefined
            ? ''
            : ` (${Math.floor((100 * done) / Math.max(total, 1))}% of the file)`;
        stream.write(`${labels[next]}: ${tokens.rows} rows${read}, ${tokens.rate} rows/s\n`);
        lastLine = now;
        phase = next;
      }
    },
    stop(): void {
      bar?.stop();
      bar = null;
    },
  };
}
