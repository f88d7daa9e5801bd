import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as esbuild from 'esbuild';
import type { GasEnv } from './gas-worker';

const addonRoot = path.resolve(__dirname, '..', '..');
export const distDir = path.join(addonRoot, 'dist');

let built = false;

/** Builds the add-on exactly as `npm run addon:build` does (once per test process). */
export function buildAddon(): string {
  if (!built) {
    execFileSync(process.execPath, [path.join(addonRoot, 'build.mjs')], { stdio: 'pipe' });
    built = true;
  }
  return distDir;
}

/** A spreadsheet with the add-on installed: the bundle in a worker, over fake Google services. */
export interface GasHost {
  /** Calls a top-level function of `Code.js`, as Apps Script would. */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** Runs `fn(env, arg)` inside the worker (inspect or edit the fake spreadsheet like a user). */
  run<T = unknown, A = unknown>(fn: (env: GasEnv, arg: A) => T, arg?: A): Promise<T>;
  close(): Promise<void>;
}

export async function startGas(): Promise<GasHost> {
  buildAddon();
  const workerFile = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'rede-gas-')),
    'gas-worker.cjs',
  );
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'gas-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: workerFile,
    logLevel: 'warning',
  });
  const worker = new Worker(workerFile, { workerData: { distDir } });
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
    call: (name, ...args) => send({ kind: 'call', name, args }),
    run: (fn, arg) => send({ kind: 'run', source: fn.toString(), arg }),
    async close() {
      await worker.terminate();
      fs.rmSync(path.dirname(workerFile), { recursive: true, force: true });
    },
  };
}
