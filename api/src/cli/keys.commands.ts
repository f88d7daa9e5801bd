import { type Command } from 'commander';
import { ApiKey } from '../auth/api-key.entity';
import { createApiKey, revokeApiKey } from '../auth/api-key.service';
import { Role } from '../auth/auth.enums';
import { loadConfig } from '../config';
import { initOrm, migrate, type Orm } from '../db/orm';
import { validUf } from '../territory/territory.validation';

export interface KeysCommandDeps {
  /** Opens a migrated ORM (tests pass their own). */
  openOrm(): Promise<{ orm: Orm; close(): Promise<void> }>;
  out: NodeJS.WritableStream;
}

const defaultDeps: KeysCommandDeps = {
  async openOrm() {
    const orm = await initOrm({ database: loadConfig().database });
    await migrate(orm);
    return { orm, close: () => orm.close(true) };
  },
  out: process.stdout,
};

function parseRole(value: string): Role {
  const role = value.toUpperCase();
  if (!Object.values(Role).includes(role as Role)) {
    throw new Error(`--role must be reader, editor or admin (got "${value}")`);
  }
  return role as Role;
}

async function withOrm<T>(deps: KeysCommandDeps, action: (orm: Orm) => Promise<T>): Promise<T> {
  const { orm, close } = await deps.openOrm();
  try {
    return await action(orm);
  } finally {
    await close();
  }
}

/** `keys create|list|revoke`: API keys, shown once at creation and stored hashed. */
export function registerKeysCommands(program: Command, deps: KeysCommandDeps = defaultDeps): void {
  const keys = program.command('keys').description('manage API keys (create, list, revoke)');

  keys
    .command('create')
    .description('create an API key and print it once')
    .requiredOption('--name <name>', 'who or what uses the key, e.g. "COSEMS-RS planilha"')
    .requiredOption('--role <role>', 'reader, editor or admin', parseRole)
    .option('--state <uf>', 'limit the key to one state, e.g. RS')
    .action(async (options: { name: string; role: Role; state?: string }) => {
      const stateUf = options.state ? validUf(options.state, '--state') : null;
      await withOrm(deps, async (orm) => {
        const { apiKey, key } = await createApiKey(orm.em.fork(), {
          name: options.name,
          role: options.role,
          stateUf,
        });
        deps.out.write(
          `Created key #${apiKey.id} "${apiKey.name}" (${apiKey.role}${stateUf ? `, ${stateUf} only` : ''}).\n` +
            `Copy it now — it is stored hashed and will not be shown again:\n\n  ${key}\n\n` +
            `Send it as: Authorization: Bearer <key>\n`,
        );
      });
    });

  keys
    .command('list')
    .description('list API keys (prefix, role, state, last use; never the secret)')
    .action(async () => {
      await withOrm(deps, async (orm) => {
        const rows = await orm.em.fork().find(ApiKey, {}, { orderBy: { id: 'asc' } });
        const lines = rows.map((row) =>
          [
            String(row.id).padStart(4),
            `rh_${row.prefix}_…`,
            row.role.padEnd(6),
            (row.stateUf ?? '*').padEnd(2),
            row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active',
            // Kept to within an hour (`auth/last-used.ts`): enough to find keys nobody uses.
            row.lastUsedAt ? `used ${row.lastUsedAt.toISOString().slice(0, 10)}` : 'never used',
            row.name,
          ].join('  '),
        );
        deps.out.write(rows.length ? `${lines.join('\n')}\n` : 'no API keys\n');
      });
    });

  keys
    .command('revoke')
    .description('revoke an API key by its number (see `keys list`)')
    .argument('<id>', 'key number')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) {
        throw new Error(`<id> must be a key number from \`keys list\` (got "${id}")`);
      }
      await withOrm(deps, async (orm) => {
        const apiKey = await revokeApiKey(orm.em.fork(), Number(id));
        if (!apiKey) {
          throw new Error(`No API key has number ${id}`);
        }
        deps.out.write(`Revoked key #${apiKey.id} "${apiKey.name}".\n`);
      });
    });
}
