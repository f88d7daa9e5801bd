/** Lower-case, accent-free text: "São João" → "sao joao". Stored beside names for search. */
export function searchText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** `value` inside a LIKE pattern, taken literally: `%`, `_` and `\` escaped with a backslash. */
export function likeLiteral(value: string): string {
  return value.replace(/[%_\\]/g, (char) => `\\${char}`);
}

/**
 * A LIKE pattern matching `value`'s search text anywhere, literally: "100%" finds "100%", and "%"
 * or "_" alone find only names that contain them. Both databases escape with a backslash
 * (see `escapeLikeWithBackslash` in `db/orm.ts`).
 */
export function containsPattern(value: string): string {
  return `%${likeLiteral(searchText(value))}%`;
}

/** What a UTF-8 continuation byte (80–BF) reads as in Windows-1252 (or Latin-1). */
const CONTINUATION =
  '[\\u0080-\\u00BF\\u0152\\u0153\\u0160\\u0161\\u0178\\u017D\\u017E\\u0192\\u02C6\\u02DC\\u2013\\u2014\\u2018-\\u201A\\u201C-\\u201E\\u2020-\\u2022\\u2026\\u2030\\u2039\\u203A\\u20AC\\u2122]';

/**
 * Signs of mojibake: UTF-8 text decoded as Latin-1/Windows-1252 turns "á" (bytes C3 A1) into
 * "Ã¡", so a lead byte read as `Ã` or `Â` is followed by what a continuation byte reads as.
 * Portuguese never writes those pairs (it writes "SÃO", "MÃE": Ã before a letter). U+FFFD marks
 * bytes a decoder already gave up on.
 */
const MOJIBAKE = new RegExp(`[ÃÂ]${CONTINUATION}|\\uFFFD`);

/** A whole UTF-8 sequence of two or three bytes as Windows-1252 reads it. */
const MISREAD_SEQUENCE = new RegExp(
  `[\\u00C2-\\u00DF]${CONTINUATION}|[\\u00E0-\\u00EF]${CONTINUATION}{2}`,
  'g',
);

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Characters Windows-1252 gives bytes 80–9F, back to those bytes. */
const windows1252Bytes = new Map<number, number>(
  [
    0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
    0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
  ].flatMap((code, index) => (code === 0 ? [] : [[code, 0x80 + index] as [number, number]])),
);

/** Why a text looks garbled by a wrong decoding, or null when it does not. */
export function garbledTextProblem(value: string): string | null {
  const match = MOJIBAKE.exec(value);
  if (!match) {
    return null;
  }
  if (match[0] === '\uFFFD') {
    return `"${value.slice(0, 60)}" holds "\uFFFD" (bytes lost by a wrong decoding); fix the file's encoding`;
  }
  const repaired = value.replace(MISREAD_SEQUENCE, (sequence) => {
    const bytes = [...sequence].map((char) => {
      const code = char.codePointAt(0)!;
      return code <= 0xff ? code : (windows1252Bytes.get(code) ?? 0);
    });
    try {
      return strictUtf8.decode(Uint8Array.from(bytes));
    } catch {
      return sequence;
    }
  });
  return `"${value.slice(0, 60)}" looks garbled by a wrong decoding ("${match[0]}" is UTF-8 read as Latin-1)${repaired === value ? '' : `; did you mean "${repaired.slice(0, 60)}"?`}`;
}
