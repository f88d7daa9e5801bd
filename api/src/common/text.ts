/** Lower-case, accent-free text: "São João" → "sao joao". Stored beside names for search. */
export function searchText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** A LIKE pattern matching `value` anywhere, with LIKE's wildcards taken literally out. */
export function containsPattern(value: string): string {
  return `%${searchText(value).replace(/[%_\\]/g, '')}%`;
}
