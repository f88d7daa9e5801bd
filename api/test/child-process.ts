import { transformFile } from '@swc/core';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../src/common/paths';

let built: Promise<string> | undefined;

/**
 * Compiles `api/src` and `seeds` once per test process with swc (what vitest itself uses), into a folder
 * inside the project so `node_modules` and `projectRoot` resolve as they do for `dist/`.
 */
export function buildServer(): Promise<string> {
  built ??= (async () => {
    const outDir = path.join(
      projectRoot,
      'node_modules',
      '.cache',
      `rede-hub-child-${process.pid}`,
    );
    // Everything the build compiles: the API and the seeds it imports (the demo generator).
    const sources = ['api/src', 'seeds'].flatMap((root) =>
      fs
        .readdirSync(path.join(projectRoot, root), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
        .map((file) => path.join(root, file)),
    );
    await Promise.all(
      sources.map(async (file) => {
        const source = path.join(projectRoot, file);
        const output = await transformFile(source, {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'commonjs' },
        });
        const target = path.join(outDir, file.replace(/\.ts$/, '.js'));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, output.code);
      }),
    );
    process.once('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
    return path.join(outDir, 'api', 'src', 'main.js');
  })();
  return built;
}

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** Everything the server wrote to stdout and stderr so far (JSON log lines). */
  logs(): string;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL and wait: no shutdown hooks, no flush. */
  kill(): Promise<void>;
}

/**
 * Starts the real server (`main.js`) in a child process and waits until it listens. `nodeArgs`
 * go before the script (V8 flags such as `--trace-gc`, which NODE_OPTIONS refuses).
 */
export async function startServerProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const main = await buildServer();
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, main], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      DEMO_ON_START: 'false',
      SEED_ON_START: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': the output pipes are drained by then, so `logs()` is complete.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  let exitedEarly = false;
  child.once('exit', () => (exitedEarly = true));
  for (let waited = 0; ; waited += 100) {
    if (exitedEarly) {
      throw new Error(`server exited before listening:\n${output}`);
    }
    const up = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) {
      break;
    }
    if (waited > 90_000) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 90 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(name);
    }
    await exited;
  };
  return {
    url,
    process: child,
    logs: () => output,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}

/** A TCP port nobody listens on right now (for servers and clusters the tests start). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
