import { type StartupContext } from '../startup';
import { countActiveAdminKeys, createApiKey } from './api-key.service';
import { Role } from './auth.enums';

/**
 * On a first start with no admin key, makes one and prints it once — to the terminal, never to
 * the log (logs are shipped and kept; the key must not be).
 */
export async function createFirstAdminKey(
  { orm, logger, seed }: Pick<StartupContext, 'orm' | 'logger' | 'seed'>,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  if (!seed) {
    return;
  }
  const em = orm.em.fork();
  if ((await countActiveAdminKeys(em)) > 0) {
    return;
  }
  const { apiKey, key } = await createApiKey(em, { name: 'first-admin', role: Role.ADMIN });
  logger.warn({ apiKeyId: apiKey.id }, 'created the first admin key (printed once on stdout)');
  out.write(
    [
      '',
      '  No admin API key existed, so one was created. It is shown this once:',
      '',
      `    ${key}`,
      '',
      '  Keep it somewhere safe; send it as `Authorization: Bearer <key>`.',
      '  Create keys for people with `npm run keys -- create --name NAME --role editor --state RS`,',
      '  and revoke this one (`npm run keys -- revoke ' + apiKey.id + '`) once you have your own.',
      '',
      '',
    ].join('\n'),
  );
}
