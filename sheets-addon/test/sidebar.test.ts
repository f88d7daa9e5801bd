import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../api/src/auth/auth.enums';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { createTestApp, databaseAvailable, driver, type TestApp } from '../../api/test/helpers';
import { distDir, startGas, type GasHost } from './harness/gas-host';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = path.join(__dirname, 'screenshots');

/**
 * `google.script.run` for a page outside Apps Script: every call goes through `__gasCall` to the
 * bundle running over the fake services (and the real API), with Apps Script's handler chaining.
 */
const bridge = `
(() => {
  const runner = (success, failure) => new Proxy({}, {
    get(_, name) {
      if (name === 'withSuccessHandler') return (fn) => runner(fn, failure);
      if (name === 'withFailureHandler') return (fn) => runner(success, fn);
      return (...args) => {
        window.__gasCall(String(name), JSON.stringify(args)).then((reply) => {
          if (reply.ok) { if (success) success(reply.value); }
          else if (failure) failure(new Error(reply.error));
        });
      };
    },
  });
  window.google = { script: { run: runner(null, null) } };
})();
`;

describe.skipIf(!databaseAvailable || !fs.existsSync(CHROMIUM))('the sidebar in Chromium', () => {
  let t: TestApp;
  let gas: GasHost;
  let browser: Browser;
  let page: Page;
  let key: string;

  const shoot = async (name: string) => {
    // One set of screenshots for the README: taken on the SQLite run only.
    if (driver === 'sqlite') {
      fs.mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
    }
  };

  beforeAll(async () => {
    t = await createTestApp();
    key = await t.createKey(Role.EDITOR, 'RS', 'cosems-rs');
    const saved = await t.gql(
      `mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { name } }`,
      {
        input: {
          name: 'Municípios do estado',
          description: 'Municípios com população e região de saúde',
          query: `query ($uf: [String!]!, $gestao: [ManagementType!]) {
            municipalities(filter: { uf: $uf, managementType: $gestao }) {
              nodes { ibgeCode name population managementType healthRegion { code } version }
            }
          }`,
          variables: { uf: ['RS'] },
        },
      },
      { authorization: `Bearer ${key}` },
    );
    expect(saved.errors).toBeUndefined();
    gas = await startGas();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 300, height: 700 } });
    await page.exposeFunction('__gasCall', async (name: string, args: string) => {
      try {
        return { ok: true, value: await gas.call(name, ...(JSON.parse(args) as unknown[])) };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    });
    await page.addInitScript(bridge);
    // Offline: the page is served from memory and may fetch nothing else itself (everything goes
    // through the bridge, as in Apps Script's sandbox).
    const html = fs.readFileSync(path.join(distDir, 'Sidebar.html'), 'utf8');
    await page.route('**/*', (route) =>
      route.request().url() === 'http://sidebar.invalid/'
        ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html })
        : route.abort(),
    );
    page.on('pageerror', (error) => console.error('sidebar error:', error.message));
    await page.goto('http://sidebar.invalid/');
  });
  afterAll(async () => {
    await browser?.close();
    await gas?.close();
    await t?.close();
  });

  it('connects with the form and shows the key’s role and scope', async () => {
    await expect.poll(() => page.textContent('#connection-status')).toBe('Não conectado');
    await page.fill('#server-url', t.url);
    await page.fill('#api-key', 'rh_aaaaaaaaaa_not-a-real-key-not-a-real-key-xx');
    await page.click('#connect-form button[type=submit]');
    await expect.poll(() => page.textContent('#message')).toBe('chave de API inválida ou revogada');
    await page.fill('#api-key', key);
    await page.click('#connect-form button[type=submit]');
    await expect
      .poll(() => page.textContent('#connection-status'))
      .toBe('Conectado como cosems-rs (EDITOR, estado RS)');
    expect(await page.inputValue('#api-key')).toBe('');
    await shoot('1-conectar');
  });

  it('picks a saved query, fills its variables form and inserts the table', async () => {
    await page.click('nav button[data-tab=queries]');
    await expect.poll(() => page.locator('#saved-queries option').count()).toBe(2);
    await page.selectOption('#saved-queries', 'Municípios do estado');
    await expect.poll(() => page.locator('#variables-form label').count()).toBe(2);
    expect(await page.inputValue('#variables-form [name=uf]')).toBe('RS');
    const options = await page
      .locator('#variables-form select[name=gestao] option')
      .allTextContents();
    expect(options.sort()).toEqual(['APS_ONLY', 'FULL', 'PARTIAL_MEDIUM_COMPLEXITY']);
    expect(await page.getAttribute('#variables-form label:first-child span', 'class')).toBe(
      'required',
    );
    await shoot('2-consultas');
    await gas.run((env) => env.book.select(env.book.getSheets()[0]!, 'A1'));
    await page.click('#insert');
    await expect
      .poll(() => page.textContent('#message'), { timeout: 30_000 })
      .toBe('497 linhas inseridas em Página1!A1.');
  });

  it('lists bound tables with their last run and schedules refreshes', async () => {
    await page.click('nav button[data-tab=tables]');
    await expect.poll(() => page.textContent('#tables li')).toContain('Municípios do estado — 497');
    await page.selectOption('#schedule', 'daily');
    await expect
      .poll(() => gas.run((env) => env.triggers.map((trigger) => trigger.handler)))
      .toEqual(['scheduledRefresh']);
    await shoot('3-tabelas');
  });

  it('previews and pushes edits, showing updated and conflicting rows', async () => {
    const em = t.app.orm.em.fork();
    const [first, second] = await em.find(
      Municipality,
      { state: { uf: 'RS' } },
      { orderBy: { name: 'asc' }, limit: 2 },
    );
    await gas.run(
      (env, codes: string[]) => {
        const sheet = env.book.getSheets()[0]!;
        const keys = sheet.values(2, 1, sheet.getLastRow() - 1, 1).map((row) => String(row[0]));
        for (const code of codes) {
          sheet.getRange(2 + keys.indexOf(code), 3, 1, 1).setValues([[12345]]);
        }
      },
      [first!.ibgeCode, second!.ibgeCode],
    );
    const other = await t.createKey(Role.EDITOR, 'RS', 'outra-pessoa');
    await t.gql(
      `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
      {
        rows: [{ ibgeCode: second!.ibgeCode, expectedVersion: second!.version, population: 777 }],
      },
      { authorization: `Bearer ${other}` },
    );
    await page.click('nav button[data-tab=push]');
    await page.click('#preview');
    await expect
      .poll(() => page.textContent('#message'))
      .toBe(
        'Pré-visualização: 0 criadas, 1 atualizadas, 0 sem mudança, 1 conflitos, 0 inválidas, 0 proibidas.',
      );
    await page.click('#push');
    await expect
      .poll(() => page.textContent('#message'))
      .toBe('0 criadas, 1 atualizadas, 0 sem mudança, 1 conflitos, 0 inválidas, 0 proibidas.');
    expect(await page.locator('#push-rows li').count()).toBe(2);
    expect(await page.locator('#push-rows li.UPDATED').textContent()).toContain(
      'Atualizada (versão 2)',
    );
    expect(await page.locator('#push-rows li.CONFLICT').textContent()).toContain('population: 777');
    await shoot('4-enviar');
    expect(await page.isVisible('#resolve-mine')).toBe(true);
    await page.click('#resolve-mine');
    await expect.poll(() => page.textContent('#message')).toBe('1 conflitos resolvidos.');
    await page.click('#push');
    await expect
      .poll(() => page.textContent('#message'))
      .toBe('0 criadas, 1 atualizadas, 0 sem mudança, 0 conflitos, 0 inválidas, 0 proibidas.');
    const settled = await t.app.orm.em
      .fork()
      .findOneOrFail(Municipality, { ibgeCode: second!.ibgeCode });
    expect(settled.population).toBe(12345);
  });

  it('switches to English', async () => {
    await page.selectOption('#locale', 'en');
    await expect.poll(() => page.textContent('nav button[data-tab=connect]')).toBe('Connect');
    expect(await page.textContent('#push')).toBe('Push changes');
  });
});
