import { bootstrap, type App } from './app';
import { ConfigError, loadConfig } from './config';

/** Starts the API from the environment; stops cleanly on SIGTERM/SIGINT. */
export async function serve(
  options: { onStopped?: () => Promise<void> | undefined } = {},
): Promise<App> {
  const config = loadConfig();
  const app = await bootstrap({ config });
  app.logger.info(
    { url: `${app.url}/graphql`, database: config.database.driver },
    'Rede Hub is listening',
  );
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.logger.info({ signal }, 'shutting down');
      app
        .close()
        .then(() => options.onStopped?.())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            app.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }
  return app;
}

/** Prints a configuration problem as one line and exits; anything else is a crash with a stack. */
export function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`rede-hub: ${error.message}\n`);
  } else {
    process.stderr.write(`rede-hub: could not start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
}
