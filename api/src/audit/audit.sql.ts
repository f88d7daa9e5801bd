import { persisted } from '../db/insert-rows';
import type { Em } from '../db/orm';
import { boundValue } from '../db/sql/execute';
import { sql, type Sql } from '../db/sql/sql';
import { tableOf } from '../db/sql/tables';
import { AuditEntry } from './audit-entry.entity';
import { type AuditInput, auditRow } from './audit.service';

/**
 * `INSERT INTO audit_entries … SELECT` of one entry per row of `from`: the columns `perRow` names
 * (e.g. `entityId: sql\`s._id\``) come from each row, every other column is the constant of
 * `entry`, as `auditRow` gives it. Set-based imports and reverts write their audit this way, in
 * the same statement count whatever the number of rows.
 */
export function auditInsert(
  em: Em,
  entry: Omit<AuditInput, 'entityId'>,
  perRow: Partial<Record<keyof ReturnType<typeof auditRow>, Sql>>,
  from: Sql,
  at: Date = new Date(),
): Sql {
  const audit = tableOf(em, AuditEntry);
  const constants = auditRow({ ...entry, entityId: 0 }, at);
  const props = audit.meta.props.filter(persisted);
  const columns = props.map((prop) => audit.column(prop.name));
  const values = props.map(
    (prop) =>
      perRow[prop.name as keyof typeof perRow] ??
      boundValue(em, prop, constants[prop.name as keyof typeof constants]),
  );
  return sql`insert into ${audit.table} (${sql.join(columns, ', ')})
             select ${sql.join(values, ', ')} ${from}`;
}
