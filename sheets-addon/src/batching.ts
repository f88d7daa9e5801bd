/**
 * Apps Script writes are slow per call and unbounded per cell: every write goes through
 * `setValues` on a block, and a block stays under `maxCells` so one call never times out.
 */
export const MAX_CELLS_PER_WRITE = 20_000;

export interface RowBlock<T> {
  /** 0-based offset of the first row of the block. */
  offset: number;
  rows: T[][];
}

export function rowBlocks<T>(
  rows: readonly T[][],
  width: number,
  maxCells = MAX_CELLS_PER_WRITE,
): RowBlock<T>[] {
  const perBlock = Math.max(1, Math.floor(maxCells / Math.max(1, width)));
  const blocks: RowBlock<T>[] = [];
  for (let offset = 0; offset < rows.length; offset += perBlock) {
    blocks.push({ offset, rows: rows.slice(offset, offset + perBlock) as T[][] });
  }
  return blocks;
}

/**
 * Splits `text` into pieces of at most `maxBytes` bytes of UTF-8 (cache values are limited in
 * bytes: 90,000 characters of "ç" are 180,000 bytes), never inside a surrogate pair.
 */
export function chunkUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const pair = code >= 0xd800 && code <= 0xdbff;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) {
      pieces.push(text.slice(start, index));
      start = index;
      bytes = 0;
    }
    bytes += size;
    if (pair) {
      index += 1;
    }
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Property values must stay under 9 KB: refuse early, with the property's name. */
export const MAX_PROPERTY_BYTES = 9 * 1024;

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      index += 1;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

export function checkedPropertyValue(name: string, value: string): string {
  const bytes = utf8Length(value);
  if (bytes >= MAX_PROPERTY_BYTES) {
    throw new Error(`property "${name}" would hold ${bytes} bytes; Apps Script allows under 9 KB`);
  }
  return value;
}
