import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/paths';
import { scratchDatabase } from '../database';
import { createTestApp, databaseAvailable, driver, testDatabase, type TestApp } from '../helpers';

describe.skipIf(!databaseAvailable)('HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /health and /ready', async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/ready`);
    expect(ready.status).toBe(200);
  });

  it('serves GraphiQL at /graphql to a browser, with every asset served locally (no CDN)', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const assets = [...html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map(
      (match) => match[1]!,
    );
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const response = await fetch(`${t.url}${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(1000);
    }
  });

  it('answers queries over GET too', async () => {
    const url = `${t.url}/graphql?query=${encodeURIComponent('{ state(uf: "MT") { name } }')}`;
    const response = await fetch(url, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await response.json()).toEqual({ data: { state: { name: 'Mato Grosso' } } });
  });
});

const built = fs.existsSync(path.join(projectRoot, 'dist', 'api', 'src', 'main.js'));

/** Collects a spawned server's output and waits for the log line that gives its URL. */
function listening(
  child: ChildProcess,
  what: string,
): Promise<{ url: string; logs: () => string }> {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)\/graphql"/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve({ url: match[1]!, logs: () => output });
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`${what} exited with ${code}: ${output}`));
    });
  });
}

describe.skipIf(!built || !databaseAvailable)('the built server (npm start)', () => {
  it('creates, migrates and seeds an empty database, serves, and stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-start-'));
    const scratch =
      driver === 'postgresql' ? await scratchDatabase(testDatabase, { empty: true }) : null;
    const databaseUrl =
      scratch?.target.driver === 'postgresql' ? scratch.target.url : `sqlite:${dir}/hub.sqlite`;
    const child = spawn(process.execPath, ['dist/api/src/main.js'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: 'info',
        DEMO_ON_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { url, logs } = await listening(child, 'server');
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ municipalities(first: 0) { totalCount } }' }),
    });
    expect(await response.json()).toEqual({ data: { municipalities: { totalCount: 5571 } } });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs()).toContain('shutting down');
    expect(fs.existsSync(path.join(dir, 'hub.sqlite'))).toBe(driver === 'sqlite');
    fs.rmSync(dir, { recursive: true, force: true });
    await scratch?.drop();
  });

  it('`npm run start:prod` starts what was built, in production mode, without compiling', async () => {
    const dist = path.join(projectRoot, 'dist');
    const builtFiles = () =>
      fs
        .readdirSync(dist, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.js') || file.endsWith('.tsbuildinfo'))
        .map((file) => `${file}@${fs.statSync(path.join(dist, file)).mtimeMs}`)
        .sort();
    const before = builtFiles();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-prod-'));
    const child = spawn('npm', ['run', 'start:prod'], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${dir}/hub.sqlite`,
        PUBLIC_URL: 'https://rede.example.org',
        LOG_LEVEL: 'info',
        SEED_ON_START: 'false',
        DEMO_ON_START: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, signalled as a whole as a service manager does (npm and node).
      detached: true,
    });
    const { url, logs } = await listening(child, 'start:prod');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    // In production only PUBLIC_URL's host is served: the running server has the production
    // configuration, not the development defaults.
    const byAddress = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ states(first: 1) { totalCount } }' }),
    });
    expect(byAddress.status).toBe(421);
    // SIGTERM to the group: the server shuts down cleanly and nothing answers on its port.
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    const answers = () =>
      fetch(`${url}/health`).then(
        () => true,
        () => false,
      );
    for (let waited = 0; waited < 15_000 && (await answers()); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await answers()).toBe(false);
    // npm echoes the script it runs: the built server, and no compiler step before it.
    expect(logs()).toContain('node dist/api/src/main.js');
    expect(logs()).not.toMatch(/\btsc\b/);
    expect(builtFiles()).toEqual(before);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stops at start-up with one clear line when PORT is not a number', async () => {
    const child = spawn(process.execPath, ['dist/api/src/main.js'], {
      cwd: projectRoot,
      env: { ...process.env, PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'rede-hub: Invalid PORT="eighty": PORT must be a number',
    ]);
  });
});
