/**
 * Runs the built bundle the way Apps Script does: every execution gets a fresh global scope (a
 * new vm context: nothing a previous execution left in a variable survives) holding the fake
 * services and `Code.js`, with `Date` read from the fake clock. It lives in a worker thread
 * because Apps Script I/O is synchronous: `UrlFetchApp.fetch` blocks this thread
 * (Atomics.wait) while a second worker makes the real HTTP call, and the API server — on the
 * test's main thread — stays free to answer.
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
import { createGoogle, GoogleException, type Invocation } from './google';
import { checkScriptRunValue, type SyncHttp } from './google/script';

const fetcherSource = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', async ({ url, request, port, signal }) => {
  let result;
  try {
    const response = await fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.payload,
    });
    result = {
      status: response.status,
      body: await response.text(),
      headers: Object.fromEntries(response.headers),
    };
  } catch (error) {
    result = { error: (error.cause && error.cause.message) || error.message };
  }
  port.postMessage(result);
  const flag = new Int32Array(signal);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

const fetcher = new Worker(fetcherSource, { eval: true });

const { distDir, hubUrl, serverUrl } = workerData as {
  distDir: string;
  hubUrl: string;
  serverUrl: string;
};

/**
 * The hub answers at `hubUrl` (https, as the allow-list demands); here that name and its TLS
 * are a stand-in for the test's real server on 127.0.0.1 — the request itself is real HTTP.
 */
/** Every request the add-on made: who ran it, how, and with which key (tests check who reads). */
const requests: { kind: string; user: string; authorization: string | null; body: string }[] = [];

const syncHttp: SyncHttp = (url, request) => {
  const execution = google.host.current;
  requests.push({
    kind: execution?.kind ?? 'test',
    user: execution?.user.email ?? '',
    authorization: request.headers.authorization ?? null,
    body: request.payload ?? '',
  });
  if (!url.startsWith(hubUrl)) {
    throw new GoogleException(`DNS error: ${new URL(url).host}`);
  }
  const target = `${serverUrl.replace(/\/$/, '')}/${url.slice(hubUrl.length)}`;
  const { port1, port2 } = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  fetcher.postMessage({ url: target, request, port: port2, signal }, [port2]);
  Atomics.wait(new Int32Array(signal), 0, 0, 120_000);
  const received = receiveMessageOnPort(port1);
  port1.close();
  if (!received) {
    throw new GoogleException(`Timeout: ${url}`);
  }
  const message = received.message as {
    status: number;
    body: string;
    headers: Record<string, string>;
    error?: string;
  };
  if (message.error) {
    throw new GoogleException(`Address unavailable: ${url} (${message.error})`);
  }
  return message;
};

const manifest = JSON.parse(fs.readFileSync(path.join(distDir, 'appsscript.json'), 'utf8'));
const google = createGoogle({ distDir, manifest, http: syncHttp });
const code = new vm.Script(fs.readFileSync(path.join(distDir, 'Code.js'), 'utf8'), {
  filename: 'Code.js',
});

/** `Date` of the new scope: `new Date()` and `Date.now()` read the fake clock. */
const dateShim = `(() => {
  const RealDate = Date;
  const clock = globalThis.__redeClock;
  delete globalThis.__redeClock;
  class ClockDate extends RealDate {
    constructor(...args) { if (args.length === 0) { super(Math.floor(clock.now)); } else { super(...args); } }
    static now() { return Math.floor(clock.now); }
  }
  globalThis.Date = ClockDate;
})();`;

/** A fresh global scope with the services and the bundle loaded, as each execution gets. */
function freshScope(): Record<string, unknown> {
  const context = vm.createContext({ ...google.globals, console, __redeClock: google.host.clock });
  vm.runInContext(dateShim, context);
  code.runInContext(context);
  return context as Record<string, unknown>;
}

function topLevel(scope: Record<string, unknown>, name: string) {
  const fn = scope[name];
  if (typeof fn !== 'function') {
    throw new Error(`${name} is not a top-level function of Code.js`);
  }
  return fn as (...args: unknown[]) => unknown;
}

const env = { ...google, requests, fresh: freshScope };
export type GasEnv = typeof env;

function clone(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

type Message =
  | { id: number; kind: 'call'; name: string; args: unknown[]; invocation: Invocation }
  | { id: number; kind: 'fire'; uid: string }
  | { id: number; kind: 'run'; source: string; arg: unknown };

function handle(message: Message): unknown {
  switch (message.kind) {
    case 'call': {
      const { name, args, invocation } = message;
      const sidebar = (invocation.kind ?? 'sidebar') === 'sidebar';
      if (sidebar) {
        if (name.endsWith('_')) {
          throw new GoogleException(`Script function not found: ${name}`);
        }
        checkScriptRunValue(args, `${name} arguments`);
      }
      const result = google.execute(invocation, () => topLevel(freshScope(), name)(...args));
      if (sidebar) {
        checkScriptRunValue(result, `${name} result`);
      }
      return result;
    }
    case 'fire': {
      const trigger = google.triggers.all.find((candidate) => candidate.uid === message.uid);
      if (!trigger) {
        throw new Error(`no trigger ${message.uid}`);
      }
      return google.execute({ as: trigger.owner.email, kind: 'trigger', authMode: 'FULL' }, () =>
        topLevel(freshScope(), trigger.handler)({ authMode: 'FULL', triggerUid: trigger.uid }),
      );
    }
    case 'run':
      return (
        new Function('env', 'arg', `return (${message.source})(env, arg);`) as (
          e: unknown,
          a: unknown,
        ) => unknown
      )(env, message.arg);
  }
}

parentPort!.on('message', (message: Message) => {
  try {
    parentPort!.postMessage({ id: message.id, result: clone(handle(message)) });
  } catch (error) {
    const failure = error as Error;
    parentPort!.postMessage({
      id: message.id,
      error: failure.name === 'Exception' ? `Exception: ${failure.message}` : failure.message,
    });
  }
});
