import iconv from 'iconv-lite';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ImportFileError, type ImportIssue } from '../../src/imports/import.issues';
import { progressReporter } from '../../src/imports/import.progress';
import { MAX_RECORD_CHARS, readCsv, type SourceTable } from '../../src/imports/import.source';
import {
  type CsvStreamOptions,
  hashBytes,
  hashFiles,
  openCsvStream,
  type StreamedTable,
} from '../../src/imports/import.stream';
import { corpus } from './bad-files.corpus';
import { datasusTables, fixtureDir, referenceDir, writeFixture } from './import-helpers';

// --------------------------------------------------------------------------------- fixtures

/** The CSV fixtures of engine.test.ts (written inline there), byte for byte. */
const people = (rows: string[]) => `\uFEFFcodigo;nome;e-mail;telefone\n${rows.join('\n')}\n`;
const engineFixtures: Record<string, string | Buffer> = {
  'people.csv': people([
    'P1;Ana Valdorim;ana@demo.invalid;+55 00 90000-0001',
    'P2;"José ""Zé"" Corvelo";;',
    'P3;=HYPERLINK("http://x.invalid","clique");;',
  ]),
  'people-v2.csv': people([
    'P1;Ana Valdorim Tavendim;ana@demo.invalid;+55 00 90000-0001',
    'P2;"José ""Zé"" Corvelo";;',
  ]),
  'people-only-p2.csv': people(['P2;"José ""Zé"" Corvelo";;']),
  'people-v3.csv': people(['P3;=HYPERLINK("http://x.invalid","clique");;']),
  'oficinas.tsv': iconv.encode(
    'codigo\ttipo\ttitulo\tdata\tmodalidade\tuf\tparticipantes\tacessos\tnotas\ttemas\n' +
      'WO-1\tWeb oficina\tOficina de Regionalização em São João\t05/06/2025\tonline\trs\t120\t310\t"linha 1\nlinha 2"\tPMS|RAG\n',
    'win1252',
  ),
  'mixed.csv': Buffer.concat([
    Buffer.from('codigo;tipo;titulo;data;uf;notas\n'),
    Buffer.from('WO-2;Web oficina;Reunião em Jaraguá do Sul;06/06/2025;RS;"', 'utf8'),
    iconv.encode('ÁREA EXPANSÃO', 'win1252'),
    Buffer.from('"\n', 'utf8'),
  ]),
  'garbled.csv':
    'codigo;tipo;titulo;data;uf\nWO-3;Web oficina;Reunião em JaraguÃ¡ do Sul;06/06/2025;RS\n',
  'regions-2024.csv':
    'codmun,no_regiao,co_regsaud\n431490,Capital e Vale do Gravataí,43010\n430460,Capital e Vale do Gravataí,43010\n',
  'regions-2025.csv':
    'codmun,no_regiao,co_regsaud\n431490,Capital e Vale do Gravataí,43010\n430460,Vale dos Sinos,43007\n',
  'regions-2025-corrected.csv':
    'codmun,no_regiao,co_regsaud\n430460,Vale do Caí e Metropolitana,43012\n',
  'regions-2023.csv': 'codmun,no_regiao,co_regsaud\n430460,Vale dos Sinos,43007\n',
};

/** Line endings, quotes, encodings and blank lines, each where a reader could slip. */
const edgeFixtures: Record<string, string | Buffer> = {
  'crlf.csv': 'a;b\r\n1;x\r\n\r\n2;"y\r\nz"\r\n3;w\r\n',
  'lone-cr.csv': 'a,b\r1,x\r\r2,"y\rz"\r3,w',
  'multi-line.csv': 'a,b,c\n1,"one\ntwo\n\nthree",x\n2,"""quoted""\nnext",y\n',
  'multi-line-header.csv': '"first\nheader",second\n1,2\n',
  'bom.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('código;nome\n1;Ana\n')]),
  'bom-only.csv': Buffer.from([0xef, 0xbb, 0xbf]),
  'latin1-in-utf8.csv': Buffer.concat([
    Buffer.from('codigo;nome;notas\n1;São João;', 'utf8'),
    iconv.encode('Jaraguá', 'win1252'),
    Buffer.from(';fim ção\n2;Ana;', 'utf8'),
    iconv.encode('ÁREA', 'win1252'),
    Buffer.from('\n', 'utf8'),
  ]),
  'blank-lines.csv': '\na,b\n\n\n1,2\n , \n;;\n,\n\n3,4\n\n',
  'blank-first-line.csv': '   \na,b\n1,2\n',
  'header-only-no-newline.csv': 'a,b,c',
  'no-final-newline.csv': 'a,b\n1,2\n3,4',
  'multibyte.csv': `a,b\n${Array.from({ length: 40 }, (_, i) => `${i},ção€😀ü日本`).join('\n')}\n`,
  'quoted-long.csv': `a,b\n1,"${'x,y;\n'.repeat(50)}"\n2,"end"\n`,
  'nul-late.csv': `a,b\n${'1,2\n'.repeat(30)}3,\0\n`,
  'nul-in-first-line.csv': 'a,\0b\n1,2\n',
  'unclosed-late.csv': `a,b\n${'1,2\n'.repeat(30)}3,"open\n4,5\n`,
  'unclosed-header.csv': 'a,"b\n1,2\n',
  'long-record-late.csv': `a,b\n1,2\n3,${'z'.repeat(MAX_RECORD_CHARS + 10)}\n`,
  'long-first-line.csv': `${'h'.repeat(MAX_RECORD_CHARS + 10)}\n1\n`,
  'invalid-closing-quote.csv': 'a,b\n1,"x"y\n',
  'utf16be.csv': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('\0a\0,\0b\0\n')]),
  'one-byte.csv': 'a',
};

const references = [
  'datasus_municip_macsaud.csv',
  'datasus_regsaud_sc.csv',
  'ibge_populacao_municipios_2008_2019.csv',
];

// --------------------------------------------------------------------------------- helpers

type Outcome =
  | { ok: true; table: Omit<SourceTable, 'rows'>; rows: SourceTable['rows'] }
  | { ok: false; issue: ImportIssue };

function issueOf(error: unknown): ImportIssue {
  if (!(error instanceof ImportFileError)) {
    throw error;
  }
  return error.issue;
}

function whole(file: string, name: string): Outcome {
  try {
    const { rows, ...table } = readCsv(name, fs.readFileSync(file));
    return { ok: true, table, rows };
  } catch (error) {
    return { ok: false, issue: issueOf(error) };
  }
}

/** Streams a file; `onRow` sees each row (the rows are not kept unless the caller keeps them). */
async function streamed(
  file: string,
  name: string,
  options: CsvStreamOptions = {},
  onRow: (row: SourceTable['rows'][number], index: number) => void = () => {},
): Promise<{ ok: true; table: StreamedTable; count: number } | { ok: false; issue: ImportIssue }> {
  try {
    const table = await openCsvStream(file, name, options);
    let count = 0;
    for await (const row of table.rows) {
      onRow(row, count);
      count += 1;
    }
    return { ok: true, table, count };
  } catch (error) {
    return { ok: false, issue: issueOf(error) };
  }
}

/** The stream must give what readCsv gives: header, every row in order, decoding; or its refusal. */
async function expectSameAsReadCsv(file: string, name: string, options: CsvStreamOptions = {}) {
  const expected = whole(file, name);
  const rows: SourceTable['rows'] = [];
  const actual = await streamed(file, name, options, (row, index) => {
    if (expected.ok) {
      // Row by row, so a mismatch names the first row that differs.
      expect(row, `${name} row ${index}`).toEqual(expected.rows[index]);
    }
    rows.push(row);
  });
  if (!expected.ok) {
    expect(actual.ok ? 'no refusal' : actual.issue, name).toEqual(expected.issue);
    return expected;
  }
  expect(actual.ok ? null : actual.issue, name).toBeNull();
  if (!actual.ok) {
    return expected;
  }
  expect(actual.count).toBe(expected.rows.length);
  const { rows: _rows, totalBytes, bytesRead, close: _close, ...table } = actual.table;
  expect(table).toEqual(expected.table);
  expect(totalBytes).toBe(fs.statSync(file).size);
  expect(bytesRead()).toBe(totalBytes);
  return expected;
}

// --------------------------------------------------------------------------------- tests

describe('openCsvStream reads as readCsv does', () => {
  let dir: string;
  beforeAll(() => {
    dir = fixtureDir();
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const csvCorpus = corpus.filter((bad) => /\.(csv|tsv|txt)$/.test(bad.name));
  it('covers the CSV files of the bad-file corpus', () => {
    expect(csvCorpus.length).toBeGreaterThanOrEqual(20);
  });

  it.each(csvCorpus.map((bad) => [bad.name, bad] as const))(
    'bad-file corpus: %s',
    async (name, bad) => {
      const file = writeFixture(dir, name, await bad.content());
      const expected = await expectSameAsReadCsv(file, name);
      // Where readCsv refuses the file, the corpus says where and why.
      if (!expected.ok) {
        expect(bad.expected).toContain(
          `${name}${expected.issue.line ? `:${expected.issue.line}` : ''}: `,
        );
      }
    },
  );

  it.each(Object.entries(datasusTables()))('DATASUS zip member: %s', async (name, content) => {
    await expectSameAsReadCsv(writeFixture(dir, `${name}.csv`, content), `${name}.csv`);
  });

  it.each(Object.entries(engineFixtures))('engine fixture: %s', async (name, content) => {
    await expectSameAsReadCsv(writeFixture(dir, name, content), name);
  });

  it.each(Object.entries(edgeFixtures))(
    'edge case: %s, whole and in chunks of 1, 2, 3 and 7 bytes',
    async (name, content) => {
      const file = writeFixture(dir, name, content);
      await expectSameAsReadCsv(file, name);
      // One-byte reads of the 100 kB fixtures would take seconds each: they get 7 and 4096.
      const sizes = fs.statSync(file).size > 4096 ? [7, 4096] : [1, 2, 3, 7];
      for (const highWaterMark of sizes) {
        await expectSameAsReadCsv(file, name, { highWaterMark });
      }
    },
  );

  it('puts chunk boundaries inside multi-byte characters and quoted cells', async () => {
    const text = 'a,b\n1,ção,"x\n€ y"\n2,日本\n';
    const file = writeFixture(dir, 'boundaries.csv', text);
    const bytes = Buffer.from(text);
    // With 7-byte reads, boundaries fall after bytes 6, 13, 20: inside "ç" (bytes 6-7) and inside
    // the quoted cell (bytes 12-20), whose "€" (15-17) and closing quote follow.
    expect(bytes.indexOf(Buffer.from('ç'))).toBe(6);
    expect(bytes.indexOf('"')).toBe(12);
    expect(bytes.indexOf('"', 13)).toBeGreaterThan(14);
    const expected = await expectSameAsReadCsv(file, 'boundaries.csv', { highWaterMark: 7 });
    expect(expected.ok && expected.rows).toEqual([
      { line: 2, cells: ['1', 'ção', 'x\n€ y'] },
      { line: 4, cells: ['2', '日本'] },
    ]);
  });

  it('reports the refusals at the lines readCsv reports them', async () => {
    const refusal = async (name: string) => {
      const outcome = await streamed(path.join(dir, name), name, { highWaterMark: 5 });
      return outcome.ok ? null : `${outcome.issue.line}: ${outcome.issue.message}`;
    };
    expect(await refusal('nul-late.csv')).toMatch(/^32: the line holds NUL bytes/);
    expect(await refusal('unclosed-late.csv')).toMatch(/^32: a quoted cell is never closed/);
    expect(await refusal('long-record-late.csv')).toMatch(/^3: a record is longer than 100,000/);
    expect(await refusal('utf16be.csv')).toMatch(/^0: the file is UTF-16/);
    expect(await refusal('blank-first-line.csv')).toMatch(/^1: the first line is empty/);
  });

  it('refuses problems of the start when opening, later ones while iterating', async () => {
    await expect(openCsvStream(path.join(dir, 'nul-in-first-line.csv'), 'x.csv')).rejects.toThrow(
      ImportFileError,
    );
    const table = await openCsvStream(path.join(dir, 'nul-late.csv'), 'nul-late.csv', {
      highWaterMark: 8,
    });
    expect(table.headers).toEqual(['a', 'b']);
    let rows = 0;
    await expect(
      (async () => {
        for await (const _row of table.rows) {
          rows += 1;
        }
      })(),
    ).rejects.toThrow(ImportFileError);
    expect(rows).toBeGreaterThan(0);
  });

  it('stops cleanly when the reader stops early or never reads the rows', async () => {
    const file = writeFixture(dir, 'early.csv', `a,b\n${'1,"x\ny"\n'.repeat(20_000)}`);
    const table = await openCsvStream(file, 'early.csv', { highWaterMark: 64 });
    let rows = 0;
    for await (const row of table.rows) {
      expect(row).toEqual({ line: 2, cells: ['1', 'x\ny'] });
      rows += 1;
      break;
    }
    expect(rows).toBe(1);
    expect(table.bytesRead()).toBeLessThan(table.totalBytes);
    const unread = await openCsvStream(file, 'early.csv', { highWaterMark: 64 });
    expect(unread.headers).toEqual(['a', 'b']);
    unread.close();
    // Any error of the streams left behind would fail the run as an unhandled rejection.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  describe.skipIf(!referenceDir)('reference files', () => {
    it.each(references)('%s', async (name) => {
      const file = path.join(referenceDir!, name);
      const expected = await expectSameAsReadCsv(file, name);
      expect(expected.ok && expected.rows.length).toBeGreaterThan(200);
    });
  });
});

describe('hashFiles and hashBytes', () => {
  it('hash the files in order as readFileSync + update did, streamed or read whole', async () => {
    const dir = fixtureDir();
    const a = writeFixture(dir, 'a.csv', Buffer.alloc(200_000, 'a'));
    const b = writeFixture(dir, 'b.csv', 'ção\n');
    const expected = createHash('sha256');
    expected.update(fs.readFileSync(a));
    expected.update(fs.readFileSync(b));
    expect(await hashFiles([a, b])).toBe(expected.digest('hex'));
    expect(await hashFiles([b, a])).not.toBe(await hashFiles([a, b]));
    expect(hashBytes([fs.readFileSync(a), fs.readFileSync(b)])).toBe(await hashFiles([a, b]));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** A full GC on demand: the flag set at run time, `gc` taken from a fresh context. */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('memory', () => {
  const gc = exposeGc();
  const ROWS = 200_000;
  let file: string;
  beforeAll(() => {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rede-hub-stream-')), 'big.csv');
    const out = fs.openSync(file, 'w');
    fs.writeSync(out, 'codigo;nome;municipio;notas\n');
    for (let start = 0; start < ROWS; start += 10_000) {
      const lines: string[] = [];
      for (let index = start; index < start + 10_000; index += 1) {
        lines.push(`P${index};Pessoa número ${index};${4300000 + (index % 5000)};"nota\n${index}"`);
      }
      fs.writeSync(out, `${lines.join('\n')}\n`);
    }
    fs.closeSync(out);
  });
  afterAll(() => {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  /**
   * Heap growth from before opening to its peak while streaming 200,000 rows (~11 MB of CSV),
   * sampled every 10,000 rows right after a full GC. Measured on 2026-12-03 (Node 20, 2 cores,
   * three runs): streaming grows the heap by 0.6 MB; collecting the rows into an array (`keep`)
   * by 50.0-50.1 MB (without the forced GCs: 1.8 MB and 60.4 MB). The bound (20 MB) sits between,
   * and the test checks that holding the rows exceeds it, so it can fail.
   */
  async function heapGrowth(keep: boolean): Promise<{ growth: number; rows: number }> {
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const kept: unknown[] = [];
    const outcome = await streamed(file, 'big.csv', {}, (row, index) => {
      if (keep) {
        kept.push(row);
      }
      if (index % 10_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
    });
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    expect(outcome.ok && outcome.count).toBe(ROWS);
    return { growth: peak - before, rows: kept.length };
  }

  const BOUND = 20 * 1024 * 1024;

  it('streams 200,000 rows with the heap growing less than holding them would', async () => {
    const streaming = await heapGrowth(false);
    const holding = await heapGrowth(true);
    process.stdout.write(
      `heap growth: streaming ${(streaming.growth / 1e6).toFixed(1)} MB, holding the rows ${(holding.growth / 1e6).toFixed(1)} MB\n`,
    );
    expect(holding.rows).toBe(ROWS);
    // The bound is one that holding the rows exceeds: it can fail.
    expect(holding.growth).toBeGreaterThan(BOUND);
    expect(streaming.growth).toBeLessThan(BOUND);
  });
});

describe('progressReporter', () => {
  function fakeStream(tty: boolean) {
    const written: string[] = [];
    const stream = {
      isTTY: tty,
      columns: 160,
      write(chunk: string) {
        written.push(chunk);
        return true;
      },
      cursorTo(_x: number, _y?: number, callback?: () => void) {
        callback?.();
        return true;
      },
      clearLine(_dir: number, callback?: () => void) {
        callback?.();
        return true;
      },
      moveCursor(_dx: number, _dy: number, callback?: () => void) {
        callback?.();
        return true;
      },
      clearScreenDown(callback?: () => void) {
        callback?.();
        return true;
      },
      on() {
        return stream;
      },
      removeListener() {
        return stream;
      },
    };
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => written.join('') };
  }

  // The clock is set by hand (Date only; cli-progress's render timer stays real), so the rates
  // and the ETA are known: no wall clock in the assertions.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-03T12:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints plain lines with rows and rows/s without a terminal', () => {
    const { stream, text } = fakeStream(false);
    const progress = progressReporter(stream, 2000);
    vi.advanceTimersByTime(2000);
    progress.update('validate', 1000, 4000, 250); // 250 rows in 2 s
    vi.advanceTimersByTime(1000);
    progress.update('validate', 2000, 4000, 500); // within 2 s of the last line: quiet
    vi.advanceTimersByTime(1000);
    progress.update('validate', 3000, 4000, 1000); // 1000 rows in 4 s
    vi.advanceTimersByTime(500);
    progress.update('validate', 4000, 4000, 1500); // the end is always printed
    progress.update('apply', 0, 10);
    vi.advanceTimersByTime(2000);
    progress.update('apply', 10, 10); // apply: rows as done/total, 10 rows in 2 s
    progress.stop();
    expect(text().trim().split('\n')).toEqual([
      'validating: 250 rows (25% of the file), 125 rows/s',
      'validating: 1000 rows (75% of the file), 250 rows/s',
      'validating: 1500 rows (100% of the file), 333 rows/s',
      'applying: 0/10 rows, 0 rows/s',
      'applying: 10/10 rows, 5 rows/s',
    ]);
  });

  it('draws a bar with rows, rows/s and the ETA on a terminal', () => {
    const { stream, text } = fakeStream(true);
    const progress = progressReporter(stream);
    vi.advanceTimersByTime(1000);
    progress.update('validate', 500, 2000, 120); // a quarter of the bytes, 120 rows in 1 s
    vi.advanceTimersByTime(1000);
    progress.update('validate', 1000, 2000, 240); // half of the bytes, 240 rows in 2 s
    progress.stop();
    // 500 bytes/s over the last second, 1000 bytes left: 2 s.
    expect(text()).toContain(
      `validating [${'█'.repeat(20)}${'░'.repeat(20)}] 50% | 240 rows | 120 rows/s | ETA 2s`,
    );
    const { stream: tty, text: applyText } = fakeStream(true);
    const apply = progressReporter(tty);
    apply.update('validate', 10, 10);
    apply.update('apply', 0, 10);
    vi.advanceTimersByTime(4000);
    apply.update('apply', 5, 10);
    apply.stop();
    expect(applyText()).toContain(
      `applying   [${'█'.repeat(20)}${'░'.repeat(20)}] 50% | 5/10 rows | 1 rows/s | ETA 4s`,
    );
  });
});
