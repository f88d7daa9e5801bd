import type { EntityProperty } from '@mikro-orm/core';
import { AuditEntry } from '../audit/audit-entry.entity';
import { AuditAction, AuditVia } from '../audit/audit.enums';
import { auditInsert } from '../audit/audit.sql';
import type { Viewer } from '../auth/viewer';
import { defaultsOf, persisted } from '../db/insert-rows';
import type { Em } from '../db/orm';
import { boundValue, dialectOf, execute } from '../db/sql/execute';
import { columnType, inList, sql, type Sql, type SqlDialect } from '../db/sql/sql';
import { tableOf, type TableNames } from '../db/sql/tables';
import type { Flat } from '../writes/write.batch';
import { type IssueList } from './import.issues';
import { type Change, deleteOf, type Existing, updateOf, withStoredStates } from './import.plan';
import { columnData, type RefIndex, snapshot, type Target } from './import.targets';

/** Valid rows per staging INSERT (one bound value per column, or one per chunk on SQLite). */
export const STAGE_CHUNK_ROWS = 5000;
/** Staged rows per `INSERT … SELECT` of new rows (and of their audit entries). */
export const CREATE_CHUNK_ROWS = 50_000;
/** Changed or pruned rows per load-diff-write round (few in a periodic re-import). */
export const CHANGE_CHUNK_ROWS = 1000;

const STAGE = sql.ident('import_stage');

/** A column of the staging table, as its DDL declares it and a staging INSERT casts to it. */
interface ColumnDefinition {
  name: string;
  type: string;
  constraint?: Sql;
  /** Filled by the match, not carried by the staged rows. */
  matched?: true;
}

/**
 * The staging table's own columns, before the target's: rows carry the first six in this order,
 * the match fills `_id` and `_action`. `_after` (no `type` here) takes the type of the audit
 * log's `after` column from the ORM's metadata, as the audit insert copies it there.
 */
const OWN_COLUMNS: readonly (Omit<ColumnDefinition, 'type'> & { type?: string })[] = [
  { name: '_seq', type: 'integer', constraint: sql`primary key` },
  { name: '_file', type: 'integer', constraint: sql`not null` },
  { name: '_line', type: 'integer', constraint: sql`not null` },
  { name: '_key', type: 'text', constraint: sql`not null` },
  { name: '_uf', type: 'varchar(2)' },
  { name: '_after' },
  { name: '_id', type: 'integer', matched: true },
  { name: '_action', type: 'varchar(10)', matched: true },
];
/** A PostgreSQL array literal of text (`{"a","b",NULL}`): one bound value for a whole column. */
function arrayLiteral(values: unknown[]): string {
  const items = values.map((value) =>
    value === null || value === undefined
      ? 'NULL'
      : `"${String(value).replace(/[\\"]/g, (char) => `\\${char}`)}"`,
  );
  return `{${items.join(',')}}`;
}

interface StageColumn {
  /** Its name in flat records (the key fields name it). */
  field: string;
  /** The entity property it stores. */
  property: string;
  column: string;
  type: string;
  json: boolean;
  nullable: boolean;
}

const count = (value: unknown) => Number(value ?? 0);

/**
 * The staging table of one import: every valid row of the files, in file order, as the target
 * table's own columns (related rows as ids) plus where it came from (`_file`, `_line`), its
 * natural key (`_key`), its flat form for the audit log (`_after`), its UF (`_uf`) and, once
 * matched, the stored row it is (`_id`) and what becomes of it (`_action`). A temporary table of
 * the import's transaction: no other session sees it and a killed process leaves nothing.
 *
 * The diff and the apply of new rows are set-based: one statement matches the whole file
 * against the table, and new rows go in with their audit entries as `INSERT … SELECT` per chunk.
 * Changed and pruned rows (a periodic re-import changes few) are diffed field by field in chunks,
 * exactly as the in-memory plan does.
 */
export class Stage {
  private buffer: unknown[][] = [];
  private inFlight: Promise<void> | null = null;
  private rows = 0;

  private constructor(
    private readonly em: Em,
    readonly target: Target,
    private readonly dialect: SqlDialect,
    /** The target's table, and its columns under the alias `t` of every statement here. */
    private readonly stored: TableNames,
    private readonly own: ColumnDefinition[],
    private readonly columns: StageColumn[],
    private readonly props: EntityProperty[],
    private readonly refs: RefIndex,
  ) {}

  static async open(em: Em, target: Target, refs: RefIndex): Promise<Stage> {
    const stored = tableOf(em, target.entity);
    const { meta } = stored;
    const dialect = dialectOf(em);
    const columns = target.fields.map((definition): StageColumn => {
      const prop = meta.properties[definition.property as never] as EntityProperty | undefined;
      if (!prop || !persisted(prop) || prop.fieldNames.length !== 1) {
        throw new Error(`${target.name}.${definition.name} cannot be staged`);
      }
      return {
        field: definition.name,
        property: definition.property,
        column: prop.fieldNames[0]!,
        type: prop.columnTypes[0]!,
        json: definition.type === 'json',
        nullable: Boolean(prop.nullable),
      };
    });
    const afterType = tableOf(em, AuditEntry).property('after').columnTypes[0]!;
    const own = OWN_COLUMNS.map((column) => ({ ...column, type: column.type ?? afterType }));
    const stage = new Stage(
      em,
      target,
      dialect,
      stored,
      own,
      columns,
      meta.props.filter(persisted),
      refs,
    );
    const definitions = [
      ...own,
      ...columns.map((column): ColumnDefinition => ({ name: column.column, type: column.type })),
    ].map(
      ({ name, type, constraint }) =>
        sql`${sql.ident(name)} ${columnType(type)}${constraint ? sql` ${constraint}` : sql``}`,
    );
    await execute(em, sql`drop table if exists ${STAGE}`);
    await execute(
      em,
      sql`create temporary table ${STAGE} (${sql.join(definitions, ', ')})${
        dialect === 'postgresql' ? sql` on commit drop` : sql``
      }`,
    );
    return stage;
  }

  /** Staged rows so far. */
  get size(): number {
    return this.rows;
  }

  /** The staging table's columns rows carry, in their order, with their types. */
  private get carried(): { name: string; type: string }[] {
    return [
      ...this.own.filter((column) => !column.matched),
      ...this.columns.map((column) => ({ name: column.column, type: column.type })),
    ];
  }

  /**
   * Queues one valid row; each full chunk goes in as one statement, written while the next
   * chunk is read (one statement in flight at a time), so the file and the database work at once.
   */
  async add(file: number, line: number, key: string, values: Flat): Promise<void> {
    const data = columnData(this.target, values, this.refs);
    const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
    // The staging table's own columns first, in `OWN_COLUMNS`' order.
    this.buffer.push([
      (this.rows += 1),
      file,
      line,
      key,
      this.target.stateUfOf?.(values, this.refs) ?? null,
      json(values),
      ...this.columns.map((column) => {
        const value = data[column.property] ?? null;
        return column.json ? json(value) : value;
      }),
    ]);
    if (this.buffer.length >= STAGE_CHUNK_ROWS) {
      const rows = this.buffer;
      this.buffer = [];
      await this.inFlight;
      this.inFlight = this.write(rows);
      // Awaited by the next chunk or by `flush`; handled now so Node never sees it unhandled.
      this.inFlight.catch(() => {});
    }
  }

  /** Writes what is queued and waits for the statement in flight. */
  async flush(): Promise<void> {
    await this.inFlight;
    this.inFlight = null;
    if (this.buffer.length > 0) {
      const rows = this.buffer;
      this.buffer = [];
      await this.write(rows);
    }
  }

  /**
   * One staging statement. PostgreSQL: one text array per column, unnested and cast to the
   * column's type (no parameter limit, one parse per array). SQLite: one JSON array of rows.
   */
  private async write(rows: unknown[][]): Promise<void> {
    const carried = this.carried;
    const names = carried.map((column) => sql.ident(column.name));
    if (this.dialect === 'postgresql') {
      const types = carried.map((column) => column.type);
      const u = types.map((_, index) => sql.ident(`c${index}`));
      const arrays = types.map((_, index) => arrayLiteral(rows.map((row) => row[index])));
      await execute(
        this.em,
        sql`insert into ${STAGE} (${sql.join(names, ', ')})
            select ${sql.join(
              types.map((type, index) => sql`u.${u[index]!}::${columnType(type)}`),
              ', ',
            )}
            from unnest(${sql.join(
              arrays.map((array) => sql`${array}::text[]`),
              ', ',
            )}) as u(${sql.join(u, ', ')})`,
      );
      return;
    }
    // One JSON array of the rows, bound once and unpacked by SQLite (`json_each`, `->>` keeps
    // each cell's type: text, integer, real, null, booleans as 0/1, as binding them would):
    // binding 30,000 cells one by one costs Node more than the whole insert costs SQLite.
    await execute(
      this.em,
      sql`insert into ${STAGE} (${sql.join(names, ', ')})
          select ${sql.join(
            names.map((_, index) => sql`value ->> ${index}`),
            ', ',
          )}
          from json_each(${JSON.stringify(rows)})`,
    );
  }

  /**
   * Rows of the files with the same natural key as an earlier row: every one reported against
   * the first, as the in-memory validation does (`duplicate of line 12 (same Event E-1)`).
   */
  async reportDuplicates(files: string[], issues: IssueList): Promise<void> {
    const duplicates = await execute(
      this.em,
      sql`select s._file, s._line, s._key, f._file as first_file, f._line as first_line
          from ${STAGE} s
          join (select _key, min(_seq) as first_seq from ${STAGE}
                group by _key having count(*) > 1) d on d._key = s._key
          join ${STAGE} f on f._seq = d.first_seq
          where s._seq <> d.first_seq
          order by s._seq`,
    );
    for (const row of duplicates) {
      const file = files[count(row._file)]!;
      const firstFile = files[count(row.first_file)]!;
      issues.add({
        file,
        line: count(row._line),
        column: null,
        message: `duplicate of ${firstFile === file ? 'line ' : `${firstFile}:`}${count(row.first_line)} (same ${String(row._key)})`,
      });
    }
  }

  /**
   * Stored and staged row have the same natural key. The first key field is always given, so it
   * is compared with `=` and the database can hash-join on it; a nullable later field (a
   * participation's person) matches when both are null too.
   */
  private keyMatch(stored: Sql, staged: Sql): Sql {
    return sql.join(
      this.target.keyFields.map((field, index) => {
        const { column, nullable } = this.columnOf(field);
        const a = sql`${stored}.${sql.ident(column)}`;
        const b = sql`${staged}.${sql.ident(column)}`;
        if (index === 0 || !nullable) {
          return sql`${a} = ${b}`;
        }
        return this.dialect === 'sqlite'
          ? sql`${a} is ${b}`
          : sql`(${a} = ${b} or (${a} is null and ${b} is null))`;
      }),
      ' AND ',
    );
  }

  private columnOf(field: string): StageColumn {
    const column = this.columns.find((c) => c.field === field);
    if (!column) {
      throw new Error(`${this.target.name}: key field ${field} is not a column`);
    }
    return column;
  }

  /**
   * Matches every staged row with the stored row of the same natural key, in one statement:
   * `_id` is set and `_action` says `update` (a field differs, or the row is soft-deleted) or
   * `unchanged`. Rows left unmatched are new.
   */
  async match(): Promise<void> {
    const { table } = this.stored;
    const t = sql.ident('t');
    const differs = sql.join(
      [
        sql`${this.stored.column('deletedAt', 't')} is not null`,
        ...this.columns.map((column) => {
          const name = sql.ident(column.column);
          return sql`t.${name} is distinct from ${STAGE}.${name}`;
        }),
      ],
      ' OR ',
    );
    await execute(
      this.em,
      sql`update ${STAGE} set _id = ${this.stored.column('id', 't')},
            _action = case when ${differs} then 'update' else 'unchanged' end
          from ${table} t where ${this.keyMatch(t, STAGE)}`,
    );
    // Rows the updates touch are looked up by `_id`; pruning asks which stored rows are staged.
    await execute(this.em, sql`create index import_stage_id on ${STAGE} (_id)`);
    if (this.target.storedStatesOfNewRows) {
      await this.storedStatesOfNewRows();
    }
  }

  /**
   * New rows whose audit state is another stored row's (`storedStatesOfNewRows`) get it in
   * `_uf`, `STAGE_CHUNK_ROWS` at a time: one `storedStateUfs` call and one update per state.
   */
  private async storedStatesOfNewRows(): Promise<void> {
    for (let last = 0; ;) {
      const rows = await execute(
        this.em,
        sql`select _seq, _after from ${STAGE} where _id is null and _seq > ${last}
            order by _seq limit ${STAGE_CHUNK_ROWS}`,
      );
      if (rows.length === 0) {
        return;
      }
      last = count(rows.at(-1)!._seq);
      // The key a change has (`keyOf` of the row), as the changed rows' states are asked by.
      const keys = rows.map((row) => this.target.keyOf(parseJson(row._after)));
      const ufs = await this.target.storedStateUfs!(this.em, [...new Set(keys)]);
      const seqsOf = new Map<string | null, number[]>();
      for (const [index, row] of rows.entries()) {
        const uf = ufs.get(keys[index]!) ?? null;
        const seqs = seqsOf.get(uf) ?? [];
        seqsOf.set(uf, seqs);
        seqs.push(count(row._seq));
      }
      for (const [uf, seqs] of seqsOf) {
        await execute(
          this.em,
          sql`update ${STAGE} set _uf = ${uf} where ${inList(sql.ident('_seq'), seqs)}`,
        );
      }
    }
  }

  /** Staged rows by what becomes of them: new rows have no `_action` yet. */
  async counts(): Promise<{ create: number; update: number; unchanged: number }> {
    const rows = await execute(
      this.em,
      sql`select coalesce(_action, 'create') as action, count(*) as n from ${STAGE} group by 1`,
    );
    const of = (action: string) => count(rows.find((row) => row.action === action)?.n);
    return { create: of('create'), update: of('update'), unchanged: of('unchanged') };
  }

  /** The first `limit` new rows as changes, for the summary. */
  async createExamples(limit: number): Promise<Change[]> {
    if (limit <= 0) {
      return [];
    }
    const rows = await execute(
      this.em,
      sql`select _after, _uf from ${STAGE} where _id is null order by _seq limit ${Math.min(limit, 2 ** 31 - 1)}`,
    );
    return rows.map((row) => {
      const after = parseJson(row._after);
      return {
        action: 'create',
        key: this.target.keyOf(after),
        id: null,
        before: null,
        after,
        stateUf: (row._uf as string | null) ?? null,
      };
    });
  }

  /**
   * Inserts the new rows and their audit entries, `CREATE_CHUNK_ROWS` staged rows at a time: one
   * `INSERT … SELECT` of the rows, one statement giving the staged rows their new ids, one
   * `INSERT … SELECT` of the audit entries. `creates` is how many staged rows are new.
   */
  async applyCreates(
    audit: { viewer: Viewer; importRunId: number; source: string; at: Date },
    creates: number,
    onChunk: (created: number) => void,
  ): Promise<void> {
    if (creates === 0) {
      return;
    }
    const { table } = this.stored;
    const given = new Set(this.columns.map((column) => column.column));
    const defaults = defaultsOf(this.target.entity, this.props);
    const constants = this.props
      .filter((prop) => !given.has(prop.fieldNames[0]!))
      .flatMap((prop) => {
        if (prop.name === 'source') {
          return [{ prop, value: audit.source }];
        }
        if (prop.name === 'createdAt' || prop.name === 'updatedAt') {
          return [{ prop, value: audit.at }];
        }
        return prop.name in defaults ? [{ prop, value: defaults[prop.name] }] : [];
      });
    const insertColumns = [
      ...this.columns.map((column) => sql.ident(column.column)),
      ...constants.map(({ prop }) => sql.ident(prop.fieldNames[0]!)),
    ];
    const selected = [
      ...this.columns.map((column) => sql`s.${sql.ident(column.column)}`),
      ...constants.map(({ prop, value }) => boundValue(this.em, prop, value)),
    ];
    const auditStatement = (range: Sql) =>
      auditInsert(
        this.em,
        {
          viewer: audit.viewer,
          via: AuditVia.IMPORT,
          importRunId: audit.importRunId,
          entityType: this.target.name,
          action: AuditAction.CREATE,
        },
        { entityId: sql`s._id`, after: sql`s._after`, stateUf: sql`s._uf` },
        sql`from ${STAGE} s where s._action = 'create' and ${range} order by s._seq`,
        audit.at,
      );
    const t = sql.ident('t');
    for (let from = 0; from < this.rows; from += CREATE_CHUNK_ROWS) {
      const range = sql`s._seq > ${from} and s._seq <= ${from + CREATE_CHUNK_ROWS}`;
      await execute(
        this.em,
        sql`insert into ${table} (${sql.join(insertColumns, ', ')})
            select ${sql.join(selected, ', ')} from ${STAGE} s
            where s._id is null and ${range} order by s._seq`,
      );
      const chunk = sql`${STAGE}._id is null and ${STAGE}._seq > ${from} and ${STAGE}._seq <= ${from + CREATE_CHUNK_ROWS}`;
      await execute(
        this.em,
        sql`update ${STAGE} set _id = ${this.stored.column('id', 't')}, _action = 'create'
            from ${table} t where ${chunk} and ${this.keyMatch(t, STAGE)}`,
      );
      await execute(this.em, auditStatement(range));
      // New rows are spread over the file: the share of it done stands for the share created.
      onChunk(Math.round((creates * Math.min(from + CREATE_CHUNK_ROWS, this.rows)) / this.rows));
    }
  }

  /**
   * The staged rows that differ from their stored row, `CHANGE_CHUNK_ROWS` at a time, each with
   * the update that makes it what the file says (the in-memory plan's own diff). Unchanged after
   * the field-by-field comparison (a value equal in JSON but not in SQL) gives no change.
   */
  async *updates(): AsyncGenerator<{ changes: Change[]; unchanged: number }> {
    let last = 0;
    for (;;) {
      const rows = await execute(
        this.em,
        sql`select _seq, _id, _after from ${STAGE} where _action = 'update' and _seq > ${last}
            order by _seq limit ${CHANGE_CHUNK_ROWS}`,
      );
      if (rows.length === 0) {
        return;
      }
      last = count(rows.at(-1)!._seq);
      const stored = await this.load(rows.map((row) => count(row._id)));
      const changes: Change[] = [];
      for (const row of rows) {
        const values = parseJson(row._after);
        const current = stored.get(count(row._id))!;
        const change = updateOf(this.target, this.refs, this.target.keyOf(values), values, current);
        if (change) {
          changes.push(change);
        }
      }
      yield {
        changes: await withStoredStates(this.em, this.target, changes),
        unchanged: rows.length - changes.length,
      };
    }
  }

  /** Live stored rows (`t`) of the import's scope (`source`) that no staged row matched. */
  private unmatched(source: string): Sql {
    const column = (property: string) => this.stored.column(property, 't');
    return sql`${column('source')} = ${source} and ${column('deletedAt')} is null
      and not exists (select 1 from ${STAGE} s where s._id = ${column('id')})`;
  }

  /** How many stored rows of the import's scope no staged row matched (`--prune`). */
  async pruneCount(source: string): Promise<number> {
    const [row] = await execute(
      this.em,
      sql`select count(*) as n from ${this.stored.table} t where ${this.unmatched(source)}`,
    );
    return count(row?.n);
  }

  /**
   * Stored rows of the import's scope (`source`) that no staged row matched, as soft deletes,
   * `CHANGE_CHUNK_ROWS` at a time (`--prune`).
   */
  async *prunes(source: string): AsyncGenerator<Change[]> {
    const id = this.stored.column('id', 't');
    let last = 0;
    for (;;) {
      const rows = await execute(
        this.em,
        sql`select ${id} as id from ${this.stored.table} t
            where ${this.unmatched(source)} and ${id} > ${last}
            order by ${id} limit ${CHANGE_CHUNK_ROWS}`,
      );
      if (rows.length === 0) {
        return;
      }
      const ids = rows.map((row) => count(row.id));
      last = ids.at(-1)!;
      const found = await this.em.find(this.target.entity, { id: { $in: ids } } as never, {
        populate: (this.target.populate ?? []) as never[],
        orderBy: { id: 'asc' } as never,
      });
      const changes = found.map((row) => deleteOf(this.target, this.refs, row));
      this.em.clear();
      yield await withStoredStates(this.em, this.target, changes);
    }
  }

  /** Stored rows by id in flat form. */
  private async load(ids: number[]): Promise<Map<number, Existing>> {
    const rows = await this.em.find(this.target.entity, { id: { $in: ids } } as never, {
      populate: (this.target.populate ?? []) as never[],
    });
    const stored = new Map<number, Existing>();
    for (const row of rows) {
      const record = row as unknown as { id: number; deletedAt?: Date | null };
      stored.set(record.id, {
        id: record.id,
        values: snapshot(this.target, row, this.refs),
        deletedAt: record.deletedAt ?? null,
      });
    }
    this.em.clear();
    return stored;
  }

  async drop(): Promise<void> {
    await execute(this.em, sql`drop table if exists ${STAGE}`);
  }
}

function parseJson(value: unknown): Flat {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Flat;
}
