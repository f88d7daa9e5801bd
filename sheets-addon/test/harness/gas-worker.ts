/**
 * Runs the built bundle the way Apps Script does: one global scope (a vm context) holding the
 * fake services and `Code.js`. It lives in a worker thread because Apps Script I/O is synchronous:
 * `UrlFetchApp.fetch` blocks this thread (Atomics.wait) while a second worker makes the real HTTP
 * call, and the API server — on the test's main thread — stays free to answer.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import {
  MessageChannel,
  Worker,
  parentPort,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';
import { counters, createServices } from './fakes';

const fetcherSource = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ url, request, port, signal }) => {
  let result;
  try {
    const headers = { ...(request.headers || {}) };
    if (request.contentType) headers['content-type'] = request.contentType;
    const response = await fetch(url, {
      method: String(request.method || 'get').toUpperCase(),
      headers,
      body: request.payload,
    });
    result = { status: response.status, body: await response.text() };
  } catch (error) {
    result = { error: 'Exception: ' + ((error.cause && error.cause.message) || error.message) };
  }
  port.postMessage(result);
  const flag = new Int32Array(signal);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

const fetcher = new Worker(fetcherSource, { eval: true });

function syncHttp(url: string, request: Record<string, unknown>): { status: number; body: string } {
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  fetcher.postMessage({ url, request, port: port2, signal }, [port2]);
  Atomics.wait(new Int32Array(signal), 0, 0, 120_000);
  const received = receiveMessageOnPort(port1);
  port1.close();
  if (!received) {
    throw new Error(`Exception: timeout fetching ${url}`);
  }
  const message = received.message as { status: number; body: string; error?: string };
  if (message.error) {
    throw new Error(message.error);
  }
  return message;
}

const { distDir } = workerData as { distDir: string };
const services = createServices(distDir, syncHttp);
const context = vm.createContext({ ...services.globals, console });
vm.runInContext(fs.readFileSync(path.join(distDir, 'Code.js'), 'utf8'), context, {
  filename: 'Code.js',
});

const env = { ...services, counters, context };

function clone(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

parentPort!.on(
  'message',
  (message: {
    id: number;
    kind: 'call' | 'run';
    name: string;
    args: unknown[];
    source: string;
    arg: unknown;
  }) => {
    try {
      let result: unknown;
      if (message.kind === 'call') {
        const fn = (context as Record<string, unknown>)[message.name];
        if (typeof fn !== 'function') {
          throw new Error(`${message.name} is not a top-level function of Code.js`);
        }
        result = (fn as (...args: unknown[]) => unknown)(...message.args);
      } else {
        result = (
          new Function('env', 'arg', `return (${message.source})(env, arg);`) as (
            e: unknown,
            a: unknown,
          ) => unknown
        )(env, message.arg);
      }
      parentPort!.postMessage({ id: message.id, result: clone(result) });
    } catch (error) {
      parentPort!.postMessage({ id: message.id, error: (error as Error).message ?? String(error) });
    }
  },
);

export type GasEnv = typeof env;
