/** What a load client was told of each person it wrote: last acknowledged version and updates. */
export type Acknowledged = Map<string, { version: number; updates: number }>;

/**
 * The bulk upsert a load client sends: 10 new fictional people, plus an update of one it wrote
 * earlier, with the version it was last told (so a lost or doubled write shows as a conflict).
 */
export function upsertBatch(
  prefix: string,
  client: number,
  n: number,
  mine: string[],
  acknowledged: Acknowledged,
): object[] {
  const rows: object[] = Array.from({ length: 10 }, (_, i) => ({
    code: `${prefix}-${client}-${n}-${i}`,
    name: `Pessoa Fictícia ${client}-${n}-${i}`,
  }));
  const again = mine.length > 0 ? mine[n % mine.length]! : null;
  if (again) {
    rows.push({
      code: again,
      name: `Renamed ${client}-${n}`,
      expectedVersion: acknowledged.get(again)!.version,
    });
  }
  return rows;
}
