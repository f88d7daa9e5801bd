import { SingleBar, Presets } from 'cli-progress';
import type { ImportPhase } from './import.engine';

const labels: Record<ImportPhase, string> = { validate: 'validating', apply: 'applying' };

/**
 * Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise (cron,
 * CI logs), so stdout stays the diff and the summary.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, intervalMs = 2000) {
  let bar: SingleBar | null = null;
  let phase: ImportPhase | null = null;
  let lastLine = 0;
  return {
    update(next: ImportPhase, done: number, total: number): void {
      if (stream.isTTY) {
        if (phase !== next) {
          bar?.stop();
          bar = new SingleBar(
            {
              format: `${labels[next].padEnd(10)} [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left`,
              stream,
              hideCursor: true,
            },
            Presets.shades_classic,
          );
          bar.start(total, done);
          phase = next;
        }
        bar!.update(done);
        return;
      }
      const now = Date.now();
      if (phase !== next || now - lastLine >= intervalMs || done === total) {
        stream.write(`${labels[next]}: ${done}/${total} rows\n`);
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
