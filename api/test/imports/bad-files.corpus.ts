import ExcelJS from 'exceljs';
import { ibgeCheckDigit } from '../../src/territory/ibge-code';
import { datasusTables, datasusZip } from './import-helpers';

/** The bad-file corpus of bad-files.test.ts, also read by stream.test.ts (same refusals). */
export interface BadFile {
  name: string;
  kind: string;
  content: () => string | Buffer | Promise<Buffer>;
  /** Expected `file:line: column: message` (a prefix of one reported line). */
  expected: string;
  asOf?: string;
}

const unknownMunicipality = `439999${ibgeCheckDigit('439999')}`;
const formulaWorkbook = async () => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('status');
  sheet.addRow(['municipio_ibge', 'instrumento', 'periodo', 'situacao']);
  sheet.addRow(['4314902', 'RAG', '2024', 'SENT']);
  sheet.getCell('B3').value = { formula: 'CONCAT("R","AG")', result: 'RAG' };
  sheet.getCell('A3').value = '4314902';
  sheet.getCell('C3').value = '2023';
  sheet.getCell('D3').value = 'SENT';
  return Buffer.from(await workbook.xlsx.writeBuffer());
};

/** The corpus: every way a steward's file goes wrong, each with the line that says so. */
export const corpus: BadFile[] = [
  {
    name: 'empty.csv',
    kind: 'events',
    content: () => '',
    expected: 'empty.csv: the file is empty',
  },
  {
    name: 'header-only.csv',
    kind: 'people',
    content: () => 'codigo,nome,email\n',
    expected: 'header-only.csv:1: the file has a header but no data rows',
  },
  {
    name: 'utf16.csv',
    kind: 'people',
    content: () =>
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('code,name\r\n', 'utf16le')]),
    expected: 'utf16.csv: the file is UTF-16',
  },
  {
    name: 'nul-bytes.csv',
    kind: 'people',
    content: () =>
      Buffer.concat([Buffer.from('code,name\nP1,'), Buffer.from([0, 0, 0]), Buffer.from('\n')]),
    expected: 'nul-bytes.csv:2: the line holds NUL bytes',
  },
  {
    name: 'missing-column.csv',
    kind: 'people',
    content: () => 'codigo,email\nP1,a@b.org\n',
    expected: 'missing-column.csv:1: name: required column is missing',
  },
  {
    name: 'bad-check-digit.csv',
    kind: 'health-regions',
    content: () => 'codmun,no_regiao,co_regsaud\n4314902,Capital,43001\n4314903,Capital,43001\n',
    expected:
      'bad-check-digit.csv:3: codmun: "4314903" has a wrong check digit: the 7th digit should be 2',
  },
  {
    name: 'six-digit-unknown.csv',
    kind: 'health-regions',
    content: () =>
      `codmun,no_regiao,co_regsaud\n${unknownMunicipality.slice(0, 6)},Capital,43001\n`,
    expected: `six-digit-unknown.csv:2: codmun: municipality ${unknownMunicipality} is unknown`,
  },
  {
    name: 'region-other-state.csv',
    kind: 'health-regions',
    content: () => 'codmun,no_regiao,co_regsaud\n4314902,Capital,42001\n',
    expected:
      'region-other-state.csv:2: co_regsaud: region 42001 is not in the state of municipality 4314902',
  },
  {
    name: 'region-two-names.csv',
    kind: 'health-regions',
    content: () => 'codmun,no_regiao,co_regsaud\n4314902,Capital,43001\n4304606,Outra,43001\n',
    expected:
      'region-two-names.csv:3: region: region 43001 is "Outra" here but "Capital" on line 2',
  },
  {
    name: 'unknown-region.csv',
    kind: 'mandates',
    content: () => 'codigo,pessoa,papel,inicio,regioes\nM1,P1,apoiador,01/03/2021,43999\n',
    expected: 'unknown-region.csv:2: regioes: health region "43999" is unknown',
  },
  {
    name: 'impossible-date.csv',
    kind: 'events',
    content: () => 'codigo,tipo,titulo,data\nE1,CIR,Reunião,31/02/2025\n',
    expected: 'impossible-date.csv:2: data: "31/02/2025" is not a real calendar date',
  },
  {
    name: 'date-format.csv',
    kind: 'events',
    content: () => 'codigo,tipo,titulo,data\nE1,CIR,Reunião,2025/13/01\n',
    expected: 'date-format.csv:2: data: "2025/13/01" is not a date: use dd/mm/yyyy or yyyy-mm-dd',
  },
  {
    name: 'end-before-start.csv',
    kind: 'events',
    content: () => 'codigo,tipo,titulo,data,fim\nE1,CIR,Reunião,10/03/2025,09/03/2025\n',
    expected: 'end-before-start.csv:2: fim: Ends (2025-03-09) before it starts (2025-03-10)',
  },
  {
    name: 'duplicate-keys.csv',
    kind: 'people',
    content: () => 'codigo,nome\nP1,Ana Valdorim\nP2,José Corvelo\nP1,Ana Valdorim Tavendim\n',
    expected: 'duplicate-keys.csv:4: duplicate of line 2 (same Person P1)',
  },
  {
    name: 'extra-column.csv',
    kind: 'people',
    content: () => 'codigo,nome,email\nP1,Ana,ana@demo.invalid,sobrando\n',
    expected: 'extra-column.csv:2: the row has 4 cells but the header has 3',
  },
  {
    name: 'semicolon-decimal-comma.csv',
    kind: 'territory-datasus',
    content: () =>
      'CO_MUNICIP;DS_NOME;NU_LATITUD;NU_LONGIT\n431490;Porto Alegre;-30,03;-51,23\n430460;Canoas;-91,5;-51,18\n',
    expected: 'semicolon-decimal-comma.csv:3: NU_LATITUD: -91.5 is out of range (-34 to 6)',
  },
  {
    name: 'unclosed-quote.csv',
    kind: 'events',
    content: () =>
      'codigo,tipo,titulo,data,notas\nE1,CIR,Reunião,10/03/2025,"começa\naqui e não fecha\n',
    expected: 'unclosed-quote.csv:2: a quoted cell is never closed',
  },
  {
    name: 'ten-megabyte-line.csv',
    kind: 'events',
    content: () => `codigo,tipo,titulo,data\nE1,CIR,${'x'.repeat(10 * 1024 * 1024)},10/03/2025\n`,
    expected: 'ten-megabyte-line.csv:2: a record is longer than 100,000 characters',
  },
  {
    name: 'long-cell.csv',
    kind: 'people',
    content: () => `codigo,nome\nP1,${'a'.repeat(400)}\n`,
    expected: 'long-cell.csv:2: nome: Is 400 characters long; at most 300 fit',
  },
  {
    name: 'formula.xlsx',
    kind: 'instrument-statuses',
    content: formulaWorkbook,
    expected:
      'formula.xlsx:3: instrumento: cell B3 holds a formula (=CONCAT("R","AG")); imports take values only',
  },
  {
    name: 'formula-in-code.csv',
    kind: 'people',
    content: () => 'codigo,nome\n=1+2,Ana\n',
    expected: 'formula-in-code.csv:2: codigo: "=1+2" is not a code',
  },
  {
    name: 'unknown-kind-value.csv',
    kind: 'events',
    content: () => 'codigo,tipo,titulo,data\nE1,Festa junina,Arraiá,10/06/2025\n',
    expected: 'unknown-kind-value.csv:2: tipo: "Festa junina" is not one of CIR_MEETING',
  },
  {
    name: 'bad-email.csv',
    kind: 'people',
    content: () => 'codigo,nome,email\nP1,Ana,ana(at)demo\n',
    expected: 'bad-email.csv:2: email: Not an e-mail address',
  },
  {
    name: 'empty-required-cell.csv',
    kind: 'events',
    content: () => 'codigo,tipo,titulo,data\nE1,CIR,,10/03/2025\n',
    expected: 'empty-required-cell.csv:2: titulo: is empty; a value is required',
  },
  {
    // A row's own rules (the write spec's rowRules) once its cells are valid.
    name: 'event-in-two-states.csv',
    kind: 'events',
    content: () => 'codigo,tipo,titulo,data,uf,ibge\nE1,CIR,Reunião,10/03/2025,RS,5103403\n',
    expected:
      'event-in-two-states.csv:2: uf: The state, region and municipality are in different states',
  },
  {
    name: 'population-no-year.csv',
    kind: 'population-ibge',
    content: () =>
      'COD. UF;COD. MUNIC;NOME DO MUNICÍPIO;POPULAÇÃO ESTIMADA\n43;14902;Porto Alegre;1.332.570\n',
    expected:
      'population-no-year.csv:2: the file has no year column (ano); pass --as-of YYYY-MM-DD',
  },
  {
    name: 'not-an-array.json',
    kind: 'people',
    content: () => '{"code": "P1", "name": "Ana"}',
    expected: 'not-an-array.json:1: expected a JSON array of objects',
  },
  {
    name: 'broken.json',
    kind: 'people',
    content: () => '[{"code": "P1", "name": "Ana"',
    expected: 'broken.json: not valid JSON',
  },
  {
    name: 'old-excel.xls',
    kind: 'people',
    content: () => Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    expected: 'old-excel.xls: old binary .xls workbooks are not read; save it as .xlsx or .csv',
  },
  {
    name: 'unknown-region.zip',
    kind: 'territory-datasus',
    content: () =>
      datasusZip(
        datasusTables({
          rl_municip_regsaud: (text) => text.replace('430510;43002', '430510;43999'),
        }),
      ),
    expected:
      'unknown-region.zip/rl_municip_regsaud.csv:4: CO_REGSAUD: unknown region 43999 (not in tb_regsaud.csv)',
  },
  {
    name: 'unknown-macroregion.zip',
    kind: 'territory-datasus',
    content: () =>
      datasusZip(
        datasusTables({ rl_regsaud_macsaud: (text) => text.replace('43003;4302', '43003;4309') }),
      ),
    expected:
      'unknown-macroregion.zip/rl_regsaud_macsaud.csv:4: CO_MACSAUD: unknown macroregion 4309 (not in tb_macsaud.csv)',
  },
  {
    name: 'missing-member.zip',
    kind: 'territory-datasus',
    content: () => {
      const { tb_regsaud: _left, ...tables } = datasusTables();
      return datasusZip(tables);
    },
    expected:
      'missing-member.zip: the zip has no tb_regsaud table (region names come from it); it holds ',
  },
  {
    name: 'dbf-member.zip',
    kind: 'territory-datasus',
    content: () => datasusZip({ 'TB_MUNICIP.DBF': Buffer.from([0x03, 0x7d, 0x01, 0x01]) }),
    expected: 'dbf-member.zip: unsupported member TB_MUNICIP.DBF: export it as CSV',
  },
  {
    name: 'corrupt.zip',
    kind: 'territory-datasus',
    content: async () => (await datasusZip(datasusTables())).subarray(0, 300),
    expected: 'corrupt.zip: not a readable zip archive',
  },
];
