import type { Em } from '../db/orm';
import type { ColumnSpec, RowReader, TableHead } from './import.cells';
import type { IssueList } from './import.issues';
import type { TargetPlan } from './import.plan';
import type { SourceTable } from './import.source';
import type { RefIndex, RefNamespace, Target } from './import.targets';

/** A row that passed validation, with where it came from. */
export interface Located<Row> {
  file: string;
  line: number;
  row: Row;
  /** The file's header of a field's column (the field's name when the file has no such column). */
  header?: (field: string) => string;
}

export interface KindContext {
  refs: RefIndex;
  /** The day the data is true on (`--as-of`, default today): memberships start on it. */
  asOf: string;
  /** Whether `asOf` was given explicitly (some layouts take their year from it). */
  asOfGiven: boolean;
  issues: IssueList;
  /** Lines for the run's summary: what the files could not say, choices the import made. */
  notes: string[];
}

export interface PlanContext extends KindContext {
  prune: boolean;
}

/**
 * One kind of import: which columns it reads, how a row is checked, and what it changes.
 * The engine does the rest (reading, mapping, duplicates, transaction, audit, history).
 */
export interface ImportKind<Row = unknown> {
  name: string;
  description: string;
  /** Namespaces whose keys validation checks against (loaded before the rows are read). */
  refs: RefNamespace[];
  /**
   * Joins the tables of one publication given as several files (or one zip) into the tables
   * `columns` reads, e.g. DATASUS's separate Base Territorial tables into one municipality table.
   * Problems of the joined tables (unknown codes, missing members) go to `context.issues`.
   */
  combine?(tables: SourceTable[], context: KindContext): SourceTable[];
  columns(table: TableHead): ColumnSpec[];
  /** Why a row is skipped on purpose (e.g. DATASUS `IGNOR` rows), or null to read it. */
  skip?(reader: RowReader): string | null;
  readRow(reader: RowReader, context: KindContext): Row | null;
  /** Identity of a row inside the file: two rows with one identity are an error. */
  identity(row: Row): string;
  /** Checks across rows (e.g. one name per region code); reports through `context.issues`. */
  checkAll?(rows: Located<Row>[], context: KindContext): void;
  /**
   * Rules that need each row's stored version and the rows before it in the file (the write
   * spec's `check`: one gestor per municipality at a time, a person deleted since), for kinds
   * diffed in memory; reports through `context.issues`.
   */
  checkStored?(rows: Located<Row>[], em: Em, context: KindContext): Promise<void>;
  /**
   * The changes against the database. Problems only the database can show (a file that
   * contradicts recorded history) go to `context.issues`; any refuses the whole run.
   */
  plan(em: Em, rows: Row[], context: PlanContext): Promise<TargetPlan[]>;
  /**
   * The one entity a kind writes, when its rows map onto it field for field (no many-to-many,
   * nothing derived across rows): such a kind is imported through a staging table, streamed,
   * with a set-based diff and apply (`import.stage.ts`), whatever the size of the file.
   */
  staged?: Target;
}
