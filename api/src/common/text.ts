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
