import type { Command } from 'commander';
import { seedDemoNetwork } from '../../../seeds/demo/demo.seed';
import { loadConfig } from '../config';
import { initOrm, migrate } from '../db/orm';
import { seedTerritory } from '../territory/territory.seed';

export function registerDemoCommands(program: Command): void {
  program
    .command('seed:demo')
    .description(
      'build the fictional demo network (people, mandates, events, adhesions…) on an empty network',
    )
    .option('--scale <n>', 'multiply people and events (about 35,000 events per unit)', '1')
    .option('--seed <n>', 'PRNG seed: the same seed builds the same network', '425')
    .action(async (options: { scale: string; seed: string }) => {
      const scale = Number(options.scale);
      const seed = Number(options.seed);
      if (!Number.isInteger(scale) || scale < 1 || !Number.isInteger(seed)) {
        throw new Error('--scale and --seed must be whole numbers (scale ≥ 1)');
      }
      const orm = await initOrm({ database: loadConfig().database });
      try {
        await migrate(orm);
        await seedTerritory(orm.em.fork());
        let lastLine = 0;
        const result = await seedDemoNetwork(orm, {
          seed,
          scale,
          onProgress: (events, total) => {
            if (Date.now() - lastLine > 2000 || events === total) {
              process.stderr.write(`events: ${events}/${total}\n`);
              lastLine = Date.now();
            }
          },
        });
        for (const [table, count] of Object.entries(result.rows)) {
          process.stdout.write(`${table.padEnd(24)} ${count}\n`);
        }
        process.stdout.write(
          `demo network built in ${result.seconds.toFixed(1)} s (${result.rowsPerSecond} rows/s) as import run #${result.runId}; \`npm run import:revert -- ${result.runId}\` removes it\n`,
        );
      } finally {
        await orm.close(true);
      }
    });
}
