/**
 * The fakes are the only stand-in for Google in these tests, so they are tested against Google's
 * documented rules first: each `it` is one rule, and the add-on's tests rely on them refusing
 * or transforming what Google would.
 */
import { describe, expect, it } from 'vitest';
import { ANA, BEA, createGoogle, type Google } from './harness/google';
import { enterValue } from './harness/google/cell-entry';
import { allowedBy, allowlistProblems } from './harness/google/manifest';
import { checkScriptRunValue } from './harness/google/script';

const HUB = 'https://hub.rede.test/';
const SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets.currentonly',
  'https://www.googleapis.com/auth/script.external_request',
  'https://www.googleapis.com/auth/script.container.ui',
  'https://www.googleapis.com/auth/script.scriptapp',
  'https://www.googleapis.com/auth/userinfo.email',
];

function google(scopes = SCOPES): Google {
  return createGoogle({
    distDir: '/nonexistent',
    manifest: { timeZone: 'America/Sao_Paulo', oauthScopes: scopes, urlFetchWhitelist: [HUB] },
    http: () => ({ status: 200, body: '{"data":{}}', headers: {} }),
  });
}

/** Runs `body` with the services as globals, as an execution of `invocation`. */
function as<T>(
  g: Google,
  invocation: Parameters<Google['execute']>[0],
  body: (services: Google['globals']) => T,
): T {
  return g.execute(invocation, () => body(g.globals));
}

const today = new Date(2026, 4, 10);
const typed = (input: string, format: string | null = null) =>
  enterValue(input, format, 'pt_BR', today);

describe('SpreadsheetApp, as strict as Sheets', () => {
  it('parses strings written with setValues as if typed in a pt_BR spreadsheet', () => {
    expect(typed('0012').value).toBe(12);
    expect(typed('1,5').value).toBe(1.5);
    expect(typed('1.234').value).toBe(1234);
    expect(typed('1E5').value).toBe(100000);
    expect(typed('10%').value).toBe(0.1);
    expect(typed('verdadeiro').value).toBe(true);
    expect(typed('3-4').value).toEqual(new Date(2026, 3, 3));
    expect(typed('2024-01-05').value).toEqual(new Date(2024, 0, 5));
    expect(typed('=HYPERLINK("x")')).toEqual({ value: '#ERROR!', formula: '=HYPERLINK("x")' });
    expect(typed('-x').formula).toBe('=-x');
    expect(typed("'0012")).toEqual({ value: '0012', formula: null });
    expect(typed('4314902').value).toBe(4314902);
    expect(typed('Porto Alegre').value).toBe('Porto Alegre');
  });

  it('keeps strings as typed in plain-text (@) cells, but still reads = and a leading apostrophe', () => {
    for (const text of ['0012', '3-4', '1,5', '2024-01-05', 'VERDADEIRO', '1E5', '+55 51']) {
      expect(typed(text, '@')).toEqual({ value: text, formula: null });
    }
    expect(typed('=1+1', '@').formula).toBe('=1+1');
    expect(typed("'=1+1", '@')).toEqual({ value: '=1+1', formula: null });
  });

  it('refuses ranges outside the sheet: a new sheet has 1000 rows and 26 columns', () => {
    const g = google();
    as(g, {}, ({ SpreadsheetApp }) => {
      const sheet = SpreadsheetApp.getActiveSpreadsheet().getSheets()[0];
      expect(() => sheet.getRange(1000, 26).setValues([['ok']])).not.toThrow();
      expect(() => sheet.getRange(1001, 1)).toThrow(/outside the dimensions of the sheet/);
      expect(() => sheet.getRange(1, 27)).toThrow(/outside the dimensions/);
      sheet.insertRowsAfter(1000, 500);
      expect(sheet.getMaxRows()).toBe(1500);
      expect(sheet.getRange(1500, 1).getValues()).toEqual([['']]);
    });
  });

  it('puts developer metadata only on the spreadsheet, a sheet or whole rows and columns', () => {
    const g = google();
    as(g, {}, ({ SpreadsheetApp }) => {
      const sheet = SpreadsheetApp.getActiveSpreadsheet().getSheets()[0];
      expect(() => sheet.getRange('B2:C3').addDeveloperMetadata('k', 'v')).toThrow(
        /arbitrary ranges is not currently supported/,
      );
      sheet.getRange('C:C').addDeveloperMetadata('col', 'c');
      sheet.getRange('5:5').addDeveloperMetadata('row', 'r');
      sheet.insertColumnsBefore(1, 2);
      sheet.insertRowsBefore(2, 1);
      const found = sheet.createDeveloperMetadataFinder().find();
      expect(found.map((entry) => [entry.getKey(), entry.getLocation().getLocationType()])).toEqual(
        [
          ['col', 'COLUMN'],
          ['row', 'ROW'],
        ],
      );
      expect(found[0]!.getLocation().getColumn()!.getColumn()).toBe(5);
      expect(found[1]!.getLocation().getRow()!.getRow()).toBe(6);
      expect(sheet.getDeveloperMetadata()).toEqual([]);
      sheet.deleteRows(6, 1);
      expect(sheet.createDeveloperMetadataFinder().withKey('row').find()).toEqual([]);
    });
  });

  it('moves named ranges with inserted rows and columns, and grows them when rows go inside', () => {
    const g = google();
    as(g, {}, ({ SpreadsheetApp }) => {
      const book = SpreadsheetApp.getActiveSpreadsheet();
      const sheet = book.getSheets()[0];
      book.setNamedRange('rede_t1', sheet.getRange('B3:D6'));
      sheet.insertRowsBefore(1, 2);
      sheet.insertColumnsBefore(1, 1);
      expect(book.getRangeByName('rede_t1')!.getA1Notation()).toBe('C5:E8');
      sheet.insertRowsBefore(7, 3);
      expect(book.getRangeByName('rede_t1')!.getA1Notation()).toBe('C5:E11');
      sheet.insertRowsAfter(11, 1);
      expect(book.getRangeByName('rede_t1')!.getA1Notation()).toBe('C5:E11');
    });
  });
});

describe('PropertiesService and CacheService quotas', () => {
  it('refuses a property value over 9 KB and a store over 500 KB', () => {
    const g = google();
    as(g, {}, ({ PropertiesService }) => {
      const store = PropertiesService.getDocumentProperties();
      store.setProperty('ok', 'x'.repeat(9 * 1024));
      expect(() => store.setProperty('big', 'ç'.repeat(4700))).toThrow(/Argument too large/);
      for (let n = 0; n < 55; n += 1) {
        store.setProperty(`p${n}`, 'y'.repeat(9000));
      }
      expect(() => store.setProperty('p55', 'y'.repeat(9000))).toThrow(/property storage quota/);
    });
  });

  it('limits cache keys to 250 characters and values to 100 KB (bytes)', () => {
    const g = google();
    as(g, {}, ({ CacheService }) => {
      const cache = CacheService.getDocumentCache();
      expect(() => cache.put('k'.repeat(251), 'v')).toThrow(/Argument too large: key/);
      cache.put('k'.repeat(250), 'v');
      expect(() => cache.put('big', 'ç'.repeat(60_000))).toThrow(/Argument too large: value/);
      expect(() => cache.put('long', 'v', 21_601)).toThrow(/expirationInSeconds/);
      cache.put('short', 'v', 10);
    });
    g.host.clock.advance(11_000);
    expect(
      as(g, {}, ({ CacheService }) => CacheService.getDocumentCache().get('short')),
    ).toBeNull();
  });
});

describe('who runs what', () => {
  it('gives a custom function the owner’s user properties, read-only for an editor', () => {
    const g = google();
    as(g, { as: ANA }, ({ PropertiesService }) =>
      PropertiesService.getUserProperties().setProperty('rede.apiKey', 'ana-key'),
    );
    as(g, { as: BEA }, ({ PropertiesService }) =>
      expect(PropertiesService.getUserProperties().getProperty('rede.apiKey')).toBeNull(),
    );
    as(g, { as: BEA, kind: 'custom-function' }, ({ PropertiesService }) => {
      const props = PropertiesService.getUserProperties();
      expect(props.getProperty('rede.apiKey')).toBe('ana-key');
      expect(() => props.setProperty('x', 'y')).toThrow(/cannot set user properties/);
    });
  });

  it('lets a custom function read but never write, show UI, manage triggers or learn the user', () => {
    const g = google();
    as(
      g,
      { kind: 'custom-function', as: BEA },
      ({ SpreadsheetApp, ScriptApp, Session, UrlFetchApp }) => {
        const sheet = SpreadsheetApp.getActiveSpreadsheet().getSheets()[0];
        expect(sheet.getRange('A1').getValues()).toEqual([['']]);
        expect(() => sheet.getRange('A1').setValues([['x']])).toThrow(
          /permission to call Range.setValues/,
        );
        expect(() => SpreadsheetApp.getUi()).toThrow(/permission/);
        expect(() => ScriptApp.newTrigger('f')).toThrow(/permission/);
        expect(Session.getActiveUser().getEmail()).toBe('');
        expect(() => UrlFetchApp.fetch(`${HUB}graphql`)).not.toThrow();
      },
    );
  });

  it('gives AuthMode.NONE only the menu and the locale, LIMITED no UrlFetch nor triggers', () => {
    const g = google();
    as(
      g,
      { kind: 'simple-trigger', authMode: 'NONE' },
      ({ SpreadsheetApp, PropertiesService, Session }) => {
        expect(() =>
          SpreadsheetApp.getUi().createAddonMenu().addItem('a', 'b').addToUi(),
        ).not.toThrow();
        expect(Session.getActiveUserLocale()).toBe('pt_BR');
        expect(() => PropertiesService.getUserProperties().getProperty('x')).toThrow(
          /AuthMode.NONE/,
        );
        expect(() => SpreadsheetApp.getActiveSpreadsheet()).toThrow(/AuthMode.NONE/);
      },
    );
    as(
      g,
      { kind: 'simple-trigger', authMode: 'LIMITED' },
      ({ PropertiesService, UrlFetchApp, ScriptApp }) => {
        expect(PropertiesService.getUserProperties().getProperty('x')).toBeNull();
        expect(() => UrlFetchApp.fetch(`${HUB}graphql`)).toThrow(/AuthMode.LIMITED/);
        expect(() => ScriptApp.newTrigger('f')).toThrow(/AuthMode.LIMITED/);
      },
    );
  });

  it('needs the manifest’s scopes in FULL mode', () => {
    const g = google(SCOPES.filter((scope) => !scope.endsWith('script.scriptapp')));
    as(g, {}, ({ ScriptApp }) => {
      expect(() => ScriptApp.newTrigger('f')).toThrow(/Required permissions: .*script.scriptapp/);
    });
  });
});

describe('ScriptApp triggers of an add-on', () => {
  it('allows one time trigger per user per document, at most hourly; others see none of it', () => {
    const g = google();
    as(g, { as: ANA }, ({ ScriptApp, SpreadsheetApp }) => {
      expect(() => ScriptApp.newTrigger('f').timeBased().everyMinutes(30).create()).toThrow(
        /more frequently than once per hour/,
      );
      ScriptApp.newTrigger('f').timeBased().everyHours(1).create();
      expect(() => ScriptApp.newTrigger('g').timeBased().after(60_000).create()).toThrow(
        /too many time-based triggers in this document for this Google user account/,
      );
      expect(ScriptApp.getUserTriggers(SpreadsheetApp.getActiveSpreadsheet())).toHaveLength(1);
    });
    as(g, { as: BEA }, ({ ScriptApp, SpreadsheetApp }) => {
      expect(ScriptApp.getProjectTriggers()).toEqual([]);
      ScriptApp.newTrigger('f').timeBased().everyHours(1).create();
      expect(ScriptApp.getUserTriggers(SpreadsheetApp.getActiveSpreadsheet())).toHaveLength(1);
      expect(() => ScriptApp.deleteTrigger(g.triggers.all[0])).toThrow(/another user created/);
    });
    expect(g.triggers.all.map((trigger) => trigger.owner.email)).toEqual([ANA, BEA]);
  });
});

describe('execution time, locks and UrlFetch', () => {
  it('stops an execution after 6 minutes and a custom function after 30 seconds', () => {
    const g = google();
    expect(() =>
      as(g, {}, ({ Utilities, PropertiesService }) => {
        Utilities.sleep(5 * 60 * 1000);
        PropertiesService.getDocumentProperties().setProperty('before', '1');
        Utilities.sleep(61 * 1000);
        PropertiesService.getDocumentProperties().setProperty('after', '1');
      }),
    ).toThrow(/Exceeded maximum execution time/);
    expect(g.storage.document.values.has('before')).toBe(true);
    expect(g.storage.document.values.has('after')).toBe(false);
    expect(() =>
      as(g, { kind: 'custom-function' }, ({ Utilities }) => Utilities.sleep(31_000)),
    ).toThrow(/30 seconds/);
  });

  it('makes a lock wait, then fail, while another execution holds it; releases at the end', () => {
    const g = google();
    const release = g.locks.holdElsewhere('document');
    const started = g.host.clock.now;
    as(g, {}, ({ LockService }) => {
      expect(LockService.getDocumentLock().tryLock(10_000)).toBe(false);
      expect(() => LockService.getDocumentLock().waitLock(1000)).toThrow(/Lock timeout/);
    });
    expect(g.host.clock.now - started).toBeGreaterThanOrEqual(11_000);
    release();
    as(g, {}, ({ LockService }) => expect(LockService.getDocumentLock().tryLock(0)).toBe(true));
    expect(g.locks.document.holder).toBeNull();
  });

  it('fetches only URLs the manifest allows, under the documented prefix rules', () => {
    expect(allowlistProblems(['https://'])).toEqual(['https://: not a valid URL prefix']);
    expect(allowlistProblems(['https://hub.example.org'])[0]).toMatch(/non-empty path/);
    expect(allowlistProblems(['http://hub.example.org/'])[0]).toMatch(/https/);
    expect(allowlistProblems(['https://localhost/'])[0]).toMatch(/full domain/);
    expect(allowlistProblems(undefined)[0]).toMatch(/required/);
    expect(allowedBy('https://example.com/foo/bar', 'https://example.com/foo')).toBe(true);
    expect(allowedBy('https://example.com/foo?x', 'https://example.com/foo')).toBe(true);
    expect(allowedBy('https://example.com/foobar', 'https://example.com/foo')).toBe(false);
    expect(allowedBy('https://example.com/Foo', 'https://example.com/foo')).toBe(false);
    expect(allowedBy('https://a.example.com/x', 'https://*.example.com/')).toBe(true);
    const g = google();
    as(g, {}, ({ UrlFetchApp }) => {
      expect(UrlFetchApp.fetch(`${HUB}graphql`).getResponseCode()).toBe(200);
      expect(() => UrlFetchApp.fetch('https://hub.rede.test.evil.org/graphql')).toThrow(
        /urlFetchWhitelist/,
      );
    });
  });

  it('passes only plain values through google.script.run (no Dates, no functions)', () => {
    expect(() => checkScriptRunValue({ rows: [[1, 'a', null]] }, 'result')).not.toThrow();
    expect(() => checkScriptRunValue({ at: new Date() }, 'result')).toThrow(
      'google.script.run cannot pass a Date (result.at)',
    );
    expect(() => checkScriptRunValue([() => 1], 'args')).toThrow(/function \(args\[0\]\)/);
  });
});
