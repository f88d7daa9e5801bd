import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildAddon } from './harness/gas-host';
import { allowedBy, allowlistProblems } from './harness/google/manifest';

const addonRoot = path.resolve(__dirname, '..');

/** Every function Apps Script must find at the top level of Code.js. */
const ENTRY_POINTS = [
  'onOpen',
  'onInstall',
  'showSidebar',
  'menuRefreshAll',
  'menuPush',
  'scheduledRefresh',
  'REDE_MUNICIPIO',
  'REDE_CONSULTA',
  'sidebarState',
  'sidebarConnect',
  'sidebarDisconnect',
  'sidebarSetLocale',
  'sidebarSetReaderKey',
  'sidebarClearReaderKey',
  'sidebarListQueries',
  'sidebarQueryForm',
  'sidebarInsert',
  'sidebarContinue',
  'sidebarRefresh',
  'sidebarResolveConflicts',
  'sidebarSchedule',
  'sidebarPush',
];

function runBuild(...args: string[]): { ok: boolean; output: string } {
  try {
    const output = execFileSync(process.execPath, [path.join(addonRoot, 'build.mjs'), ...args], {
      encoding: 'utf8',
      stdio: 'pipe',
      env: { ...process.env, REDE_HUB_URL: '' },
    });
    return { ok: true, output };
  } catch (error) {
    return { ok: false, output: String((error as { stderr: string }).stderr) };
  }
}

describe('npm run addon:build -- --hub …', () => {
  it('writes a manifest whose urlFetchWhitelist allows exactly the hub', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-build-'));
    const built = runBuild('--hub', 'https://hub.example.org', '--out', out);
    expect(built.output).toContain('for https://hub.example.org/');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'appsscript.json'), 'utf8'));
    expect(manifest.urlFetchWhitelist).toEqual(['https://hub.example.org/']);
    expect(allowlistProblems(manifest.urlFetchWhitelist)).toEqual([]);
    const allowed = (url: string) =>
      manifest.urlFetchWhitelist.some((p: string) => allowedBy(url, p));
    expect(allowed('https://hub.example.org/graphql')).toBe(true);
    expect(allowed('https://hub.example.org.evil.net/graphql')).toBe(false);
    expect(allowed('https://other.example.org/graphql')).toBe(false);
    expect(allowed('http://hub.example.org/graphql')).toBe(false);
    // The hub the bundle calls is the one the manifest allows.
    expect(fs.readFileSync(path.join(out, 'Code.js'), 'utf8')).toContain(
      '"https://hub.example.org/"',
    );
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('keeps a path prefix and refuses what Google’s allow-list refuses', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rede-build-'));
    expect(runBuild('--hub', 'https://apps.example.org/rede/graphql', '--out', out).ok).toBe(true);
    expect(
      JSON.parse(fs.readFileSync(path.join(out, 'appsscript.json'), 'utf8')).urlFetchWhitelist,
    ).toEqual(['https://apps.example.org/rede/']);
    fs.rmSync(out, { recursive: true, force: true });
    expect(runBuild('--hub', 'http://hub.example.org/', '--out', out).output).toMatch(/https/);
    expect(runBuild('--hub', 'https://localhost:4000/', '--out', out).output).toMatch(
      /full domain/,
    );
    expect(runBuild('--hub', 'https://hub.example.org/?x=1', '--out', out).output).toMatch(
      /only the scheme/,
    );
    expect(runBuild('--out', out).output).toMatch(/not a URL/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('ships no allow-list in the committed template (it is generated, never "https://")', () => {
    const template = JSON.parse(fs.readFileSync(path.join(addonRoot, 'appsscript.json'), 'utf8'));
    expect(template.urlFetchWhitelist).toBeUndefined();
    expect(template.oauthScopes).toEqual([
      'https://www.googleapis.com/auth/spreadsheets.currentonly',
      'https://www.googleapis.com/auth/script.external_request',
      'https://www.googleapis.com/auth/script.container.ui',
      'https://www.googleapis.com/auth/script.scriptapp',
      'https://www.googleapis.com/auth/userinfo.email',
    ]);
  });

  it('declares every entry point as a top-level function, and inlines the sidebar', () => {
    const dist = buildAddon();
    const code = fs.readFileSync(`${dist}/Code.js`, 'utf8');
    const context = vm.createContext({});
    vm.runInContext(code, context);
    const names = Object.keys(context).filter((name) => typeof context[name] === 'function');
    expect(names.sort()).toEqual([...ENTRY_POINTS].sort());
    for (const name of ENTRY_POINTS) {
      expect(code, name).toMatch(new RegExp(`^function ${name}\\(`, 'm'));
    }
    expect(code).toMatch(/\* @customfunction\n \*\/\nfunction REDE_MUNICIPIO\(/);
    const html = fs.readFileSync(`${dist}/Sidebar.html`, 'utf8');
    expect(html).not.toContain('/* SCRIPT */');
    expect(html).not.toContain('/* STYLE */');
    expect(html).toContain('google.script.run');
  });
});
