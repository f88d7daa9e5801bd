/**
 * The sidebar's real HTML in headless Chromium, its `google.script.run` calls answered by the
 * built bundle over the fakes and the real API. The screenshots show the sidebar beside a
 * rendering of the fake spreadsheet; they are written under `test/.screenshots/` (ignored), or
 * into the user guide (`sheets-addon/guia/`, committed) with `REDE_GUIDE_SCREENSHOTS=1`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Municipality } from '../../api/src/territory/municipality.entity';
import { databaseAvailable, driver } from '../../api/test/helpers';
import { ANA_EMAIL, BEA_EMAIL, edit, scenario, select, type Scenario } from './harness/scenario';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = process.env.REDE_GUIDE_SCREENSHOTS
  ? path.join(__dirname, '..', 'guia')
  : path.join(__dirname, '.screenshots');

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

interface GridCell {
  value: string;
  background: string | null;
  bold: boolean;
  colour: string | null;
  note: string;
}

/** What the spreadsheet shows: the first rows and visible columns of a sheet, with formats. */
function readGrid(s: Scenario, sheetName: string, rows: number, columns: number) {
  return s.gas.run(
    (env, arg: { sheetName: string; rows: number; columns: number }) => {
      const sheet = env.book.sheets.find((candidate) => candidate.name === arg.sheetName)!;
      const visible = Array.from({ length: arg.columns }, (_, i) => i + 1).filter(
        (column) => !sheet.hiddenColumns.has(column),
      );
      const letter = (n: number): string =>
        n <= 0 ? '' : letter(Math.floor((n - 1) / 26)) + String.fromCharCode(65 + ((n - 1) % 26));
      return {
        tabs: env.book.sheets.filter((other) => !other.hidden).map((other) => other.name),
        active: arg.sheetName,
        letters: visible.map(letter),
        frozen: sheet.frozenRows,
        rows: Array.from({ length: arg.rows }, (_, r) =>
          visible.map((column) => {
            const cell = sheet.cell(r + 1, column);
            const value = cell.value;
            return {
              value:
                value === null
                  ? ''
                  : typeof value === 'number'
                    ? value.toLocaleString('pt-BR')
                    : String(value),
              background: cell.background,
              bold: cell.fontWeight === 'bold',
              colour: cell.fontColor,
              note: cell.note,
            };
          }),
        ),
      };
    },
    { sheetName, rows, columns },
  );
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);

function gridHtml(grid: Awaited<ReturnType<typeof readGrid>>, noteAt: [number, number] | null) {
  const cell = (c: GridCell, r: number, index: number) => {
    const style = [
      c.background ? `background:${c.background}` : '',
      c.bold ? 'font-weight:bold' : '',
      c.colour ? `color:${c.colour}` : '',
    ].join(';');
    const note = c.note ? '<i class="corner"></i>' : '';
    const shown =
      noteAt && noteAt[0] === r && noteAt[1] === index
        ? `<div class="note">${escapeHtml(c.note)}</div>`
        : '';
    return `<td style="${style}">${escapeHtml(c.value)}${note}${shown}</td>`;
  };
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body{margin:0;font:12px Arial,sans-serif;background:#fff}
    .bar{height:34px;background:#f9fbfd;border-bottom:1px solid #dadce0;display:flex;align-items:center;padding:0 10px;color:#444;font-size:13px}
    .bar b{margin-right:14px;color:#188038}
    table{border-collapse:collapse;table-layout:fixed}
    th{background:#f8f9fa;color:#5f6368;font-weight:normal;border:1px solid #e2e3e3;height:20px}
    td{border:1px solid #e2e3e3;height:20px;padding:0 4px;white-space:nowrap;overflow:visible;max-width:150px;text-overflow:ellipsis;position:relative}
    tr.frozen td{border-bottom:3px solid #c0c0c0}
    .corner{position:absolute;top:0;right:0;border-top:6px solid #ea4335;border-left:6px solid transparent}
    .note{position:absolute;left:100%;top:0;z-index:2;width:240px;white-space:pre-wrap;background:#fff;border:1px solid #bbb;box-shadow:0 2px 6px rgba(0,0,0,.25);padding:6px;font-size:11px;color:#222}
    .tabs{position:fixed;bottom:0;left:0;right:0;height:28px;background:#f1f3f4;border-top:1px solid #dadce0;display:flex;gap:2px;padding-left:40px}
    .tabs span{padding:5px 12px;color:#444}.tabs span.on{background:#fff;color:#188038;font-weight:bold}
  </style></head><body>
  <div class="bar"><b>Planilhas</b> Municípios COSEMS-RS — Extensões › Rede Hub</div>
  <table><tr><th style="width:34px"></th>${grid.letters.map((l) => `<th style="width:112px">${l}</th>`).join('')}</tr>
  ${grid.rows
    .map(
      (row, r) =>
        `<tr class="${r + 1 === grid.frozen ? 'frozen' : ''}"><th>${r + 1}</th>${row.map((c, i) => cell(c, r, i)).join('')}</tr>`,
    )
    .join('')}</table>
  <div class="tabs">${grid.tabs.map((tab) => `<span class="${tab === grid.active ? 'on' : ''}">${escapeHtml(tab)}</span>`).join('')}</div>
  </body></html>`;
}

describe.skipIf(!databaseAvailable || !fs.existsSync(CHROMIUM))('the sidebar in Chromium', () => {
  let s: Scenario;
  let browser: Browser;
  let page: Page;
  /** Holds the next call of `method` until the test releases it (to look at the page meanwhile). */
  let gate: { method: string; reached: () => void; release: Promise<void> } | null = null;

  /** The sidebar beside the spreadsheet, as a guide screenshot (SQLite run only: one set). */
  async function shoot(
    name: string,
    sheetName: string,
    rows = 18,
    noteAt: [number, number] | null = null,
  ) {
    if (driver !== 'sqlite') {
      return;
    }
    const grid = await readGrid(s, sheetName, rows, 8);
    await page.setViewportSize({ width: 1180, height: 760 });
    await page.evaluate(
      (html) => {
        const frame = document.createElement('iframe');
        frame.id = 'sheet-preview';
        frame.srcdoc = html;
        frame.style.cssText =
          'position:fixed;left:0;top:0;width:870px;height:100%;border:0;border-right:1px solid #dadce0';
        document.body.style.marginLeft = '880px';
        document.body.append(frame);
        return new Promise((resolve) => frame.addEventListener('load', resolve));
      },
      gridHtml(grid, noteAt),
    );
    fs.mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, `${name}.png`) });
    await page.evaluate(() => {
      document.getElementById('sheet-preview')?.remove();
      document.body.style.marginLeft = '';
    });
    await page.setViewportSize({ width: 300, height: 760 });
  }

  beforeAll(async () => {
    s = await scenario();
    const saved = await s.t.gql(
      `mutation ($input: CreateSavedQueryInput!) { createSavedQuery(input: $input) { name } }`,
      {
        input: {
          name: 'Municípios do estado',
          description: 'Municípios com população, gestão e região de saúde',
          query: `query ($uf: [String!]!, $gestao: [ManagementType!]) {
            municipalities(filter: { uf: $uf, managementType: $gestao }, orderBy: [NAME_ASC]) {
              nodes { ibgeCode name population managementType healthRegion { code } version }
            }
          }`,
          variables: { uf: ['RS'] },
        },
      },
      { authorization: `Bearer ${s.keys.admin}` },
    );
    expect(saved.errors).toBeUndefined();
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
    page = await browser.newPage({ viewport: { width: 300, height: 760 } });
    await page.exposeFunction('__gasCall', async (name: string, args: string) => {
      if (gate && gate.method === name) {
        const held = gate;
        gate = null;
        held.reached();
        await held.release;
      }
      try {
        return { ok: true, value: await s.gas.call(name, ...(JSON.parse(args) as unknown[])) };
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
    });
    await page.addInitScript(bridge);
    // Offline: the page is served from memory and may fetch nothing else itself (everything goes
    // through the bridge, as in Apps Script's sandbox).
    const html = fs.readFileSync(path.join(s.gas.distDir, 'Sidebar.html'), 'utf8');
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
    await s?.close();
  });

  it('connects with the person’s own key and shows its role and scope', async () => {
    await expect.poll(() => page.textContent('#connection-status')).toBe('Não conectado');
    expect(await page.textContent('#hub')).toBe('https://hub.rede.test/');
    await page.fill('#api-key', 'rh_aaaaaaaaaa_not-a-real-key-not-a-real-key-xx');
    await page.click('#connect-form button[type=submit]');
    await expect.poll(() => page.textContent('#message')).toBe('chave de API inválida ou revogada');
    await page.fill('#api-key', s.keys.ana);
    await page.click('#connect-form button[type=submit]');
    await expect
      .poll(() => page.textContent('#connection-status'))
      .toBe('Conectado como Ana (COSEMS-RS) (EDITOR, nacional)');
    expect(await page.inputValue('#api-key')).toBe('');
    await shoot('1-conectar', 'Página1', 12);
  });

  it('pulls a saved query: Portuguese choices, a progress line, controls disabled meanwhile', async () => {
    await page.click('nav button[data-tab=queries]');
    await expect.poll(() => page.locator('#saved-queries option').count()).toBe(3);
    await page.selectOption('#saved-queries', 'Municípios do estado');
    await expect.poll(() => page.locator('#variables-form label').count()).toBe(2);
    expect(await page.inputValue('#variables-form [name=uf]')).toBe('RS');
    const options = await page
      .locator('#variables-form select[name=gestao] option')
      .allTextContents();
    expect(options.sort()).toEqual([
      'Gestão plena',
      'Média complexidade parcial',
      'Somente atenção primária',
    ]);
    // Slow requests and small pages: the pull needs several executions.
    await s.gas.run((env) => {
      env.host.costs.fetchMs = 40_000;
      env.storage.script.values.set('REDE_PAGE_SIZE', '100');
    });
    await select(s.gas, 'A1');
    let reached!: () => void;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    gate = { method: 'sidebarContinue', reached, release: new Promise<void>((r) => (release = r)) };
    await page.click('#insert');
    await atGate;
    await expect.poll(() => page.isVisible('#progress')).toBe(true);
    expect(await page.textContent('#progress-text')).toMatch(
      /^Carregando “Municípios do estado”: \d+ de 497 linhas \(\d+%\)…$/,
    );
    expect(await page.isDisabled('#insert')).toBe(true);
    expect(await page.isDisabled('#refresh-all')).toBe(true);
    await shoot('2-consulta-carregando', 'Página1', 6);
    release();
    await expect
      .poll(() => page.textContent('#message'), { timeout: 30_000 })
      .toBe('497 linhas inseridas em Página1!A1.');
    expect(await page.isVisible('#progress')).toBe(false);
    expect(await page.isDisabled('#insert')).toBe(false);
    await s.gas.run((env) => {
      env.host.costs.fetchMs = 0;
      env.storage.script.values.delete('REDE_PAGE_SIZE');
    });
    await shoot('3-consulta-inserida', 'Página1', 22);
  });

  it('schedules a refresh and shows whose it is, to everyone', async () => {
    await page.click('nav button[data-tab=tables]');
    await expect
      .poll(() => page.textContent('#tables li .table-title'))
      .toBe('Municípios do estado — 497');
    await page.selectOption('#schedule', 'daily');
    await expect
      .poll(() => page.textContent('#schedule-owner'))
      .toBe(
        'Ligada (diariamente, às 6h) por você: roda com a sua conta e a sua chave, mesmo com a planilha fechada.',
      );
    expect(await page.isHidden('#take-over')).toBe(true);
    const bea = await s.gas.callAs<{ schedule: { text: string } }>(
      { as: BEA_EMAIL },
      'sidebarState',
    );
    expect(bea.schedule.text).toContain(`por ${ANA_EMAIL}`);
    await shoot('4-agendar', 'Página1', 12);
  });

  it('previews and pushes edits; a conflict shows only the differing field, settled per row', async () => {
    const em = s.t.app.orm.em.fork();
    const [first, second] = await em.find(
      Municipality,
      { state: { uf: 'RS' } },
      { orderBy: { name: 'asc' }, limit: 2 },
    );
    await edit(s.gas, first!.ibgeCode, 'População', 12345);
    await edit(s.gas, second!.ibgeCode, 'População', 12345);
    await s.t.gql(
      `mutation ($rows: [MunicipalityUpsertInput!]!) { upsertMunicipalities(rows: $rows) { updated } }`,
      { rows: [{ ibgeCode: second!.ibgeCode, expectedVersion: second!.version, population: 777 }] },
      { authorization: `Bearer ${s.keys.bea}` },
    );
    await page.click('nav button[data-tab=push]');
    await page.click('#preview');
    await expect
      .poll(() => page.textContent('#message'))
      .toBe(
        'Pré-visualização: 0 criadas, 1 atualizadas, 0 sem mudança, 1 conflitos, 0 inválidas, 0 proibidas. Confira a pré-visualização e clique em “Enviar alterações” para enviar.',
      );
    await shoot('5-enviar', 'Página1', 12);
    await page.click('#push');
    await expect
      .poll(() => page.textContent('#message'))
      .toBe('0 criadas, 1 atualizadas, 0 sem mudança, 1 conflitos, 0 inválidas, 0 proibidas.');
    expect(await page.locator('#push-rows li.UPDATED').textContent()).toContain(
      'Atualizada (versão 2)',
    );
    const card = page.locator('#conflict-rows .conflict');
    expect(await card.count()).toBe(1);
    const title = (await card.locator('.conflict-title').textContent())!;
    expect(title).toMatch(new RegExp(`^Linha \\d+ \\(${second!.ibgeCode} — ${second!.name}\\)$`));
    const sheetRow = Number(/^Linha (\d+)/.exec(title)![1]);
    expect(await card.locator('tr').allInnerTexts()).toEqual([
      'Campo\tMinha versão\tNo servidor',
      'População\t12345\t777',
    ]);
    await shoot('6-conflito', 'Página1', 12, [sheetRow - 1, 0]);
    await card.locator('input[value=theirs]').check();
    await page.click('#apply-choices');
    await expect.poll(() => page.textContent('#message')).toBe('1 conflitos resolvidos.');
    const settled = await s.t.app.orm.em
      .fork()
      .findOneOrFail(Municipality, { ibgeCode: second!.ibgeCode });
    expect(settled.population).toBe(777);
    await page.click('#preview');
    await expect.poll(() => page.textContent('#message')).toBe('Nenhuma alteração para enviar.');
  });

  it('switches to English', async () => {
    await page.selectOption('#locale', 'en');
    await expect.poll(() => page.textContent('nav button[data-tab=connect]')).toBe('Connect');
    expect(await page.textContent('#push')).toBe('Push changes');
  });
});
