/**
 * Load generation with autocannon (installed into bench/peers/, loaded from there). Latency
 * percentiles are computed from every response's own time in milliseconds (autocannon's
 * histogram rounds to whole milliseconds, too coarse for point lookups).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export interface LoadResult {
  /** Successful responses. */
  requests: number;
  /** CPU time of the server process per successful response (not the database's). */
  cpuMsPerRequest?: number;
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Run for this long, or … */
  seconds?: number;
  /** … until this many requests have been answered (heavy cases: nothing left in flight). */
  requests?: number;
  /** The JSON body of the n-th request. */
  body(n: number): string;
}

interface AutocannonRequest {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

interface AutocannonInstance {
  on(
    event: 'response',
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
}

interface AutocannonResult {
  errors: number;
  non2xx: number;
  duration: number;
}

type Autocannon = (
  options: Record<string, unknown>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

let cached: Autocannon | undefined;

function autocannon(peersDir: string): Autocannon {
  cached ??= createRequire(path.join(peersDir, 'package.json'))('autocannon') as Autocannon;
  return cached;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** One load run's raw figures; runs of the same target in several rounds are merged. */
export interface LoadSample {
  times: number[];
  /** Server CPU time used during the run, when measured. */
  cpuMs?: number;
  seconds: number;
  errors: number;
  non2xx: number;
}

export function summarise(samples: readonly LoadSample[]): LoadResult {
  const times = samples.flatMap((sample) => sample.times).sort((a, b) => a - b);
  const seconds = samples.reduce((sum, sample) => sum + sample.seconds, 0);
  const cpuMs = samples.reduce((sum, sample) => sum + (sample.cpuMs ?? 0), 0);
  return {
    requests: times.length,
    cpuMsPerRequest: times.length > 0 && cpuMs > 0 ? cpuMs / times.length : undefined,
    seconds,
    throughput: seconds > 0 ? times.length / seconds : 0,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
    non2xx: samples.reduce((sum, sample) => sum + sample.non2xx, 0),
  };
}

export function runLoad(peersDir: string, options: LoadOptions): Promise<LoadSample> {
  let n = 0;
  const times: number[] = [];
  // autocannon ends a run on its next 1 s sample tick, so with `amount` its `duration` is rounded
  // up to whole seconds (4 nested pulls of 90 ms "take" 1 s). A fixed-count run is timed here
  // instead: from the start to the last response.
  const started = performance.now();
  let lastResponse = started;
  return new Promise<LoadSample>((resolve, reject) => {
    const instance = autocannon(peersDir)(
      {
        url: `${options.url}/graphql`,
        connections: options.connections,
        // autocannon gives up on a response after 10 s by default and counts an error; on a
        // loaded 2-core machine one nested pull can take longer, and it must still be counted.
        timeout: 300,
        ...(options.requests ? { amount: options.requests } : { duration: options.seconds }),
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        requests: [
          {
            setupRequest: (request: AutocannonRequest) => ({
              ...request,
              body: options.body(n++),
            }),
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          times,
          seconds: options.requests ? (lastResponse - started) / 1000 : result.duration,
          errors: result.errors,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      lastResponse = performance.now();
      if (status >= 200 && status < 300) {
        times.push(ms);
      }
    });
  });
}
