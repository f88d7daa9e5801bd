import { type EntityClass } from '@mikro-orm/core';
import { ImportRun, ImportStatus } from '../imports/import-run.entity';
import { type Target } from '../imports/import.targets';
import { boundValue, dialectOf, execute } from '../db/sql/execute';
import { sql, type Sql } from '../db/sql/sql';
import { importTargets, writeSpecs } from '../writes/write.registry';
import { type WriteSpec } from '../writes/write.spec';
import { type BaseEntity } from '../common/base.entity';
import { BadUserInputError } from '../graphql/errors';
import { tableOf, type TableNames } from '../db/sql/tables';
import type { WriteActor } from '../writes/write.service';
import { AuditEntry } from './audit-entry.entity';
import { AuditAction } from './audit.enums';
import { auditInsert } from './audit.sql';
import { originOf } from './audit.service';

const CREATED = sql.ident('revert_created');

/**
 * How a revert reads and writes rows of one entity type: through its write spec, the one way rows
 * change, and through the import target for what only imports store (derived columns such as
 * `nameSearch`, a file's own `validUntil`, `demo`) and for the one type no spec writes
 * (`MunicipalityName`).
 */
export interface Writer {
  type: string;
  entity: EntityClass<BaseEntity>;
  spec?: WriteSpec;
  target?: Target;
}

export function writerOf(type: string): Writer {
  const spec = writeSpecs.get(type);
  const target = importTargets.get(type);
  const entity = (spec?.entity ?? target?.entity) as EntityClass<BaseEntity> | undefined;
  if (!entity) {
    throw new BadUserInputError(`Rows of type ${type} cannot be reverted`, { argument: 'id' });
  }
  return { type, entity, spec, target };
}

/**
 * The rows an import created that nothing touched since, reverted set-based: a national import
 * creates a million rows, and its revert is a few statements per entity type, not a load and a
 * flush per row. A created row qualifies while it is live and no audit entry after its CREATE
 * (other than one of a run since reverted) names it; every other row of the run — updated or
 * pruned rows, created rows changed since, rows gone — is left to the row-by-row revert, which
 * reports conflicts and honours `force` as before.
 *
 * `select` picks the rows into a temporary table before anything is written (the revert's own
 * entries would otherwise make every row look touched); `apply` then writes a REVERT entry per
 * row (`before` its CREATE's `after`, live; `after` the same, deleted) and soft-deletes the rows.
 */
export async function revertCreatedRows(scoped: WriteActor, importRunId: number) {
  const tem = scoped.em;
  const dialect = dialectOf(tem);
  const audit = tableOf(tem, AuditEntry);
  const runs = tableOf(tem, ImportRun);
  /** A column of the audit log, under alias `c` (the run's CREATE) or `a` (a later entry). */
  const entry = (alias: 'a' | 'c', property: string) => audit.column(property, alias);
  await execute(tem, sql`drop table if exists ${CREATED}`);
  await execute(
    tem,
    sql`create temporary table ${CREATED} (entry_id integer primary key, entity_type varchar(60),
        entity_id integer)${dialect === 'postgresql' ? sql` on commit drop` : sql``}`,
  );
  const kinds = await execute<{ entity_type: unknown }>(
    tem,
    sql`select distinct ${audit.column('entityType')} as entity_type from ${audit.table}
        where ${audit.column('importRunId')} = ${importRunId}
          and ${audit.column('action')} = ${AuditAction.CREATE}`,
  );
  const chosen: { type: string; stored: TableNames }[] = [];
  for (const { entity_type: entityType } of kinds) {
    const { type, entity } = writerOf(String(entityType));
    const stored = tableOf(tem, entity);
    await execute(
      tem,
      sql`insert into ${CREATED} (entry_id, entity_type, entity_id)
          select ${entry('c', 'id')}, ${entry('c', 'entityType')}, ${entry('c', 'entityId')}
          from ${audit.table} c
          where ${entry('c', 'importRunId')} = ${importRunId}
            and ${entry('c', 'action')} = ${AuditAction.CREATE}
            and ${entry('c', 'entityType')} = ${type}
            and exists (select 1 from ${stored.table} t
                        where ${stored.column('id', 't')} = ${entry('c', 'entityId')}
                          and ${stored.column('deletedAt', 't')} is null)
            and not exists (
              select 1 from ${audit.table} a
              where ${entry('a', 'entityType')} = ${entry('c', 'entityType')}
                and ${entry('a', 'entityId')} = ${entry('c', 'entityId')}
                and ${entry('a', 'id')} > ${entry('c', 'id')}
                and (${entry('a', 'importRunId')} is null or ${entry('a', 'importRunId')} not in (
                  select ${runs.column('id', 'r')} from ${runs.table} r
                  where ${runs.column('status', 'r')} = ${ImportStatus.REVERTED})))`,
    );
    chosen.push({ type, stored });
  }

  return {
    /** Ids of the run's entries left to the row-by-row revert. */
    async remainingEntryIds(): Promise<number[]> {
      const rows = await execute(
        tem,
        sql`select ${entry('c', 'id')} as id from ${audit.table} c
            where ${entry('c', 'importRunId')} = ${importRunId}
              and not exists (select 1 from ${CREATED} r where r.entry_id = ${entry('c', 'id')})
            order by ${entry('c', 'id')}`,
      );
      return rows.map((row) => Number(row.id));
    },

    /** Writes the REVERT entries and soft-deletes the rows; returns how many. */
    async apply(): Promise<number> {
      const now = new Date();
      let reverted = 0;
      for (const { type, stored } of chosen) {
        // The row's CREATE `after` with `deleted`, as the row-by-row revert writes its snapshot.
        const mark = (live: boolean): Sql => {
          const deleted = live ? sql`false` : sql`true`;
          const after = entry('c', 'after');
          return dialect === 'postgresql'
            ? sql`${after} || jsonb_build_object('deleted', ${deleted})`
            : sql`json_set(${after}, '$.deleted', json(${live ? sql`'false'` : sql`'true'`}))`;
        };
        await execute(
          tem,
          auditInsert(
            tem,
            {
              ...originOf(scoped),
              importRunId,
              entityType: type,
              action: AuditAction.REVERT,
            },
            {
              entityId: entry('c', 'entityId'),
              before: mark(true),
              after: mark(false),
              stateUf: entry('c', 'stateUf'),
            },
            sql`from ${audit.table} c join ${CREATED} r on r.entry_id = ${entry('c', 'id')}
                where r.entity_type = ${type} order by ${entry('c', 'id')}`,
            now,
          ),
        );
        const [changed] = await execute(
          tem,
          sql`select count(*) as n from ${CREATED} where entity_type = ${type}`,
        );
        await execute(
          tem,
          sql`update ${stored.table} set ${stored.column('deletedAt')} = ${boundValue(tem, stored.property('deletedAt'), now)},
                ${stored.column('updatedAt')} = ${boundValue(tem, stored.property('updatedAt'), now)},
                ${stored.column('version')} = ${stored.column('version')} + 1
              where ${stored.column('id')} in (select entity_id from ${CREATED} where entity_type = ${type})`,
        );
        reverted += Number(changed?.n ?? 0);
      }
      await execute(tem, sql`drop table if exists ${CREATED}`);
      return reverted;
    },
  };
}
