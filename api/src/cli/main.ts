#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { registerDbCommands } from './db.commands';
import { registerKeysCommands } from './keys.commands';

/** `rede-hub <command>`: every command-line entry of the project, one program. */
const program = new Command('rede-hub').description('Rede Hub command line').showHelpAfterError();
registerDbCommands(program);
registerKeysCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`rede-hub: ${(error as Error).message}\n`);
  process.exit(1);
});
