/**
 * The servers under test run as child processes: their RSS is read from /proc, they are stopped
 * with SIGTERM, and a crash or a start that never reports `ready` fails the run with its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Resident set size now, in MB (VmRSS of /proc/<pid>/status). */
  rssMb(): number;
  /** Sends a command and resolves with the next message of `type`. */
  request<T>(command: unknown, type: string): Promise<T>;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  node: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
  timeoutMs?: number;
}

export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const child = spawn(options.node, [...(options.args ?? []), options.script], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${options.name} did not start within ${options.timeoutMs ?? 120_000} ms:\n${output}`,
        ),
      );
    }, options.timeoutMs ?? 120_000);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type === 'ready' && message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with code ${code} before it was ready:\n${output}`));
    });
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && code !== null) {
      process.stderr.write(`${options.name} exited unexpectedly (${code}):\n${output}\n`);
    }
  });
  return {
    name: options.name,
    url,
    child,
    rssMb: () => rssOf(child.pid!),
    request<T>(command: unknown, type: string): Promise<T> {
      return new Promise<T>((resolve) => {
        const listener = (message: { type?: string }) => {
          if (message.type === type) {
            child.off('message', listener);
            resolve(message as T);
          }
        };
        child.on('message', listener);
        child.send(command as object);
      });
    },
    async stop() {
      if (child.exitCode !== null) {
        return;
      }
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/**
 * Waits until a server is idle (under 5% of a core over 250 ms), so work a previous run left in
 * flight is not billed to the next one; gives up after `maxMs`.
 */
export async function settle(pid: number, maxMs = 60_000): Promise<void> {
  const until = Date.now() + maxMs;
  while (Date.now() < until) {
    const before = cpuMsOf(pid);
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (cpuMsOf(pid) - before < 12.5) {
      return;
    }
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the peak in MB. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // The process ended; keep the last peak.
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** The environment every benchmark starts Rede Hub with, over the database at `url`. */
export function redeHubEnv(url: string, port = 0): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ANONYMOUS_ACCESS: 'reader',
    RATE_LIMIT_PER_MINUTE: '0',
    // The default cost limit (50,000) refuses the nested pull of all 5,570 municipalities in one
    // page; the add-on pages instead. PostGraphile has no cost limit, so neither does the bench.
    MAX_COST: '100000000',
    SEED_ON_START: 'false',
    DEMO_ON_START: 'false',
  };
}
