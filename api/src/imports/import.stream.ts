import { parse as csvParser } from 'csv-parse';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import {
  csvDelimiter,
  csvFailure,
  csvHeaders,
  CsvRecordReader,
  csvParseOptions,
  firstLineEnd,
  isBlankRow,
  MAX_RECORD_CHARS,
  QuoteTracker,
  refuseEmpty,
  refuseNul,
  refuseUtf16,
  type CsvRecord,
  type SourceRow,
  type SourceTable,
  UTF8_BOM_LATIN1,
} from './import.source';

/**
 * A CSV file read as it streams: what `readCsv` gives, but the rows come one by one. `decoding`
 * fills in as the rows are read (final once `rows` is exhausted). `rows` can be iterated once.
 */
export interface StreamedTable extends Omit<SourceTable, 'rows'> {
  rows: AsyncIterable<SourceRow>;
  /** The file's size in bytes. */
  totalBytes: number;
  /** Bytes read from the file so far (ahead of the rows by at most a few buffers). */
  bytesRead(): number;
  /** Closes the file when the rows are not read to the end (reading them to the end closes it). */
  close(): void;
}

export interface CsvStreamOptions {
  /** Bytes per read from the file (tests use a few to put chunk boundaries everywhere). */
  highWaterMark?: number;
}

/**
 * Opens a CSV file and reads its header; the rows stream from `rows`. Reads the bytes exactly as
 * `readCsv` does (with its functions): a UTF-8 BOM dropped, the bytes carried as `latin1` text
 * through csv-parse, each field decoded on its own (UTF-8 if valid, else Windows-1252), rows
 * numbered by the lines of the file and blank ones left out, and the same refusals at the same
 * lines, as `ImportFileError`s: problems of the start of the file (empty, UTF-16, first line,
 * header) from here, problems further on from the iteration. Memory holds a few buffers and the
 * record being parsed, never the file.
 *
 * A file with several problems may report a different one first than `readCsv` (which checks
 * the whole file for NUL bytes before anything else), since this reads in order.
 */
export async function openCsvStream(
  filePath: string,
  displayName: string,
  options: CsvStreamOptions = {},
): Promise<StreamedTable> {
  const file = displayName;
  const totalBytes = (await fs.promises.stat(filePath)).size;
  refuseEmpty(file, totalBytes);
  const input = fs.createReadStream(filePath, {
    encoding: 'latin1',
    highWaterMark: options.highWaterMark ?? 64 * 1024,
  });
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<string>;
  let parser: ReturnType<typeof csvParser> | undefined;
  const close = () => {
    input.destroy();
    parser?.destroy();
  };
  try {
    // The start of the file: its byte order mark and its first line (bounded: a first line
    // longer than a record may be is refused by the parser anyway).
    let start = '';
    let ended = false;
    const readWhile = async (more: () => boolean): Promise<void> => {
      while (!ended && more()) {
        const next = await chunks.next();
        ended = next.done === true;
        if (!ended) {
          start += next.value as string;
        }
      }
    };
    await readWhile(() => start.length < 3);
    refuseUtf16(file, Buffer.from(start.slice(0, 2), 'latin1'));
    const bom = start.startsWith(UTF8_BOM_LATIN1);
    if (bom) {
      start = start.slice(UTF8_BOM_LATIN1.length);
    }
    let searched = 0;
    await readWhile(() => {
      const found = firstLineEnd(start.slice(searched)) !== -1;
      searched = start.length;
      return !found && start.length <= MAX_RECORD_CHARS;
    });
    refuseNul(file, start);
    const delimiter = csvDelimiter(file, start);
    const quotes = new QuoteTracker();

    /** The file's text, piece by piece, checked for NUL bytes and tracked for quotes. */
    async function* text(): AsyncGenerator<string> {
      quotes.feed(start);
      if (start !== '') {
        yield start;
      }
      start = '';
      for (;;) {
        const next = await chunks.next();
        if (next.done) {
          return;
        }
        const chunk = next.value as string;
        refuseNul(file, chunk, quotes.line - 1);
        quotes.feed(chunk);
        yield chunk;
      }
    }

    // Strings written to the parser become UTF-8 buffers, as `parse(string)` makes them in readCsv.
    parser = csvParser(csvParseOptions(delimiter));
    pipeline(Readable.from(text()), parser, () => {
      // Errors reach the reader through the parser's iterator.
    });
    const records = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRecord>;
    const nextRecord = async (): Promise<CsvRecord | null> => {
      try {
        const next = await records.next();
        return next.done ? null : next.value;
      } catch (error) {
        csvFailure(file, error, () => quotes.openedAt);
      }
    };

    const reader = new CsvRecordReader(bom, delimiter);
    const first = await nextRecord();
    const header = first ? reader.row(first) : undefined;
    const headers = csvHeaders(file, header);

    async function* rows(): AsyncGenerator<SourceRow> {
      try {
        for (let record = await nextRecord(); record; record = await nextRecord()) {
          const row = reader.row(record);
          if (!isBlankRow(row)) {
            yield row;
          }
        }
      } finally {
        close();
      }
    }

    return {
      file,
      format: 'csv',
      headers,
      headerLine: header!.line,
      rows: rows(),
      decoding: reader.decoding,
      issues: [],
      totalBytes,
      bytesRead: () => input.bytesRead,
      close,
    };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The SHA-256 of the files' bytes in order (as of their concatenation), read as streams.
 */
export async function hashFiles(paths: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of paths) {
    for await (const chunk of fs.createReadStream(file)) {
      hash.update(chunk as Buffer);
    }
  }
  return hash.digest('hex');
}

/** The SHA-256 of files already read whole, in order: what `hashFiles` gives for their paths. */
export function hashBytes(files: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const bytes of files) {
    hash.update(bytes);
  }
  return hash.digest('hex');
}
