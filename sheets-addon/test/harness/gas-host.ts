import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import type { GasEnv } from './gas-worker';
import type { Invocation } from './google';

const addonRoot = path.resolve(__dirname, '..', '..');

/** The hub the test bundle is built for; the fake UrlFetch routes it to the test's server. */
export const TEST_HUB = 'https://hub.rede.test/';

const builds = new Map<string, string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * This test process's scratch folder (`<tmp>/rede-addon-tests/<pid>/`). Test processes are
 * killed rather than exited, so each one sweeps away the folders of processes that are gone.
 */
function scratchDir(name: string): string {
  const root = path.join(os.tmpdir(), 'rede-addon-tests');
  fs.mkdirSync(root, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    if (Number(entry) !== process.pid && !alive(Number(entry))) {
      fs.rmSync(path.join(root, entry), { recursive: true, force: true });
    }
  }
  const dir = path.join(root, String(process.pid), name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Builds the add-on exactly as `npm run addon:build -- --hub …` does, into a folder of this test
 * process (test files run in parallel and must not share one `dist/`).
 */
export function buildAddon(hub = TEST_HUB): string {
  let out = builds.get(hub);
  if (!out) {
    out = scratchDir(`build-${builds.size}`);
    execFileSync(
      process.execPath,
      [path.join(addonRoot, 'build.mjs'), '--hub', hub, '--out', out],
      {
        stdio: 'pipe',
      },
    );
    builds.set(hub, out);
  }
  return out;
}

/** A spreadsheet with the add-on installed: the bundle in a worker, over fake Google services. */
export interface GasHost {
  distDir: string;
  /** Calls a top-level function of `Code.js` as Ana, from the sidebar (`google.script.run`). */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** Calls a top-level function as someone else, or as a menu, simple trigger, custom function. */
  callAs<T = unknown>(invocation: Invocation, name: string, ...args: unknown[]): Promise<T>;
  /** Fires an installable trigger: its handler runs as the trigger's owner. */
  fire<T = unknown>(uid: string): Promise<T>;
  /** Runs `fn(env, arg)` inside the worker (inspect or edit the fake spreadsheet like a user). */
  run<T = unknown, A = unknown>(fn: (env: GasEnv, arg: A) => T, arg?: A): Promise<T>;
  close(): Promise<void>;
}

let workerFile: string | null = null;

async function bundledWorker(): Promise<string> {
  if (!workerFile) {
    const file = path.join(scratchDir('worker'), 'gas-worker.cjs');
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'gas-worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: file,
      logLevel: 'warning',
    });
    workerFile = file;
  }
  return workerFile;
}

export async function startGas(serverUrl: string): Promise<GasHost> {
  const distDir = buildAddon();
  const worker = new Worker(await bundledWorker(), {
    workerData: { distDir, hubUrl: TEST_HUB, serverUrl },
  });
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) {
      waiter?.reject(new Error(message.error));
    } else {
      waiter?.resolve(message.result);
    }
  });
  worker.on('error', (error) => {
    for (const waiter of pending.values()) {
      waiter.reject(error);
    }
  });
  const send = <T>(message: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  return {
    distDir,
    call: (name, ...args) => send({ kind: 'call', name, args, invocation: {} }),
    callAs: (invocation, name, ...args) => send({ kind: 'call', name, args, invocation }),
    fire: (uid) => send({ kind: 'fire', uid }),
    run: (fn, arg) => send({ kind: 'run', source: fn.toString(), arg }),
    async close() {
      await worker.terminate();
    },
  };
}
