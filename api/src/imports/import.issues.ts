/** One problem found in an import file, located as `file:line: column: message`. */
export interface ImportIssue {
  file: string;
  /** 1-based line of the file (the row number of a sheet); 0 for the file as a whole. */
  line: number;
  column: string | null;
  message: string;
}

export function formatIssue(issue: ImportIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return issue.column
    ? `${where}: ${issue.column}: ${issue.message}`
    : `${where}: ${issue.message}`;
}

/** Collects every problem of a run; keeps the first `cap` for display, counts them all. */
export class IssueList {
  readonly issues: ImportIssue[] = [];
  total = 0;

  constructor(readonly cap = 200) {}

  add(issue: ImportIssue): void {
    this.total += 1;
    if (this.issues.length < this.cap) {
      this.issues.push(issue);
    }
  }

  get empty(): boolean {
    return this.total === 0;
  }

  lines(): string[] {
    const lines = this.issues.map(formatIssue);
    if (this.total > this.issues.length) {
      lines.push(`… and ${this.total - this.issues.length} more (${this.total} problems in all)`);
    }
    return lines;
  }
}

/** Raised when a file cannot be read as a table at all (encoding, quoting, size, emptiness). */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
  constructor(readonly issue: ImportIssue) {
    super(formatIssue(issue));
  }
}
