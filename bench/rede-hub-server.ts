/**
 * Rede Hub as the benchmark runs it: the product's own `bootstrap()` and config, in a child
 * process the bench can measure (RSS from /proc) and talk to over IPC. The only addition is a
 * statement counter: the bench switches it on to count SQL per request, and off (MikroORM's
 * query logger disabled) before anything is timed.
 */
import 'reflect-metadata';
import { bootstrap } from '../api/src/app';
import { loadConfig } from '../api/src/config';

export type RedeHubServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'counting' }
  | { type: 'statements'; count: number; sample: string[] };

export type RedeHubServerCommand = { type: 'count' } | { type: 'quiet' } | { type: 'read' };

async function main(): Promise<void> {
  let count = 0;
  const sample: string[] = [];
  const app = await bootstrap({
    config: loadConfig(),
    seed: false,
    onQuery: (sql) => {
      count += 1;
      if (sample.length < 20) {
        sample.push(sql.slice(0, 300));
      }
    },
  });
  const logger = app.orm.config.getLogger();
  logger.setDebugMode(false);
  const send = (message: RedeHubServerMessage) => process.send?.(message);
  process.on('message', (command: RedeHubServerCommand) => {
    switch (command.type) {
      case 'count':
        count = 0;
        sample.length = 0;
        logger.setDebugMode(['query']);
        send({ type: 'counting' });
        break;
      case 'quiet':
        logger.setDebugMode(false);
        break;
      case 'read':
        send({ type: 'statements', count, sample });
        break;
    }
  });
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  send({ type: 'ready', url: app.url });
}

main().catch((error: unknown) => {
  process.stderr.write(`rede-hub bench server: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
