import type { EntityProperty } from '@mikro-orm/core';
import { ImportStatus } from '../imports/import-run.entity';
import { type Target, targets } from '../imports/import.targets';
import { boundValue, dialectOf, execute } from '../db/sql/execute';
import { sql, type Sql } from '../db/sql/sql';
import type { WriteActor } from '../writes/write.service';
import { AuditAction } from './audit.enums';
import { auditInsert } from './audit.sql';
import { originOf } from './audit.service';

const CREATED = sql.ident('revert_created');

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
  await execute(tem, sql`drop table if exists ${CREATED}`);
  await execute(
    tem,
    sql`create temporary table ${CREATED} (entry_id integer primary key, entity_type varchar(60),
        entity_id integer)${dialect === 'postgresql' ? sql` on commit drop` : sql``}`,
  );
  const kinds = await execute(
    tem,
    sql`select distinct entity_type from audit_entries
        where import_run_id = ${importRunId} and action = ${AuditAction.CREATE}`,
  );
  const chosen: { target: Target; table: string; props: Record<string, EntityProperty> }[] = [];
  for (const { entity_type: entityType } of kinds) {
    const target = (targets as Record<string, Target>)[String(entityType)];
    if (!target) {
      continue;
    }
    const meta = tem.getMetadata().get(target.entity.name);
    const table = sql.ident(meta.tableName);
    await execute(
      tem,
      sql`insert into ${CREATED} (entry_id, entity_type, entity_id)
          select c.id, c.entity_type, c.entity_id from audit_entries c
          where c.import_run_id = ${importRunId} and c.action = ${AuditAction.CREATE}
            and c.entity_type = ${target.name}
            and exists (select 1 from ${table} t where t.id = c.entity_id and t.deleted_at is null)
            and not exists (
              select 1 from audit_entries a
              where a.entity_type = c.entity_type and a.entity_id = c.entity_id and a.id > c.id
                and (a.import_run_id is null or a.import_run_id not in (
                  select r.id from import_runs r where r.status = ${ImportStatus.REVERTED})))`,
    );
    chosen.push({ target, table: meta.tableName, props: meta.properties as never });
  }

  return {
    /** Ids of the run's entries left to the row-by-row revert. */
    async remainingEntryIds(): Promise<number[]> {
      const rows = await execute(
        tem,
        sql`select c.id from audit_entries c where c.import_run_id = ${importRunId}
              and not exists (select 1 from ${CREATED} r where r.entry_id = c.id)
            order by c.id`,
      );
      return rows.map((row) => Number(row.id));
    },

    /** Writes the REVERT entries and soft-deletes the rows; returns how many. */
    async apply(): Promise<number> {
      const now = new Date();
      let reverted = 0;
      for (const { target, table, props } of chosen) {
        // The row's CREATE `after` with `deleted`, as the row-by-row revert writes its snapshot.
        const mark = (live: boolean): Sql => {
          const deleted = live ? sql`false` : sql`true`;
          return dialect === 'postgresql'
            ? sql`c.after || jsonb_build_object('deleted', ${deleted})`
            : sql`json_set(c.after, '$.deleted', json(${live ? sql`'false'` : sql`'true'`}))`;
        };
        await execute(
          tem,
          auditInsert(
            tem,
            {
              ...originOf(scoped),
              importRunId,
              entityType: target.name,
              action: AuditAction.REVERT,
            },
            {
              entityId: sql`c.entity_id`,
              before: mark(true),
              after: mark(false),
              stateUf: sql`c.state_uf`,
            },
            sql`from audit_entries c join ${CREATED} r on r.entry_id = c.id
                where r.entity_type = ${target.name} order by c.id`,
            now,
          ),
        );
        const column = (name: string) => sql.ident(props[name]!.fieldNames[0]!);
        const [changed] = await execute(
          tem,
          sql`select count(*) as n from ${CREATED} where entity_type = ${target.name}`,
        );
        await execute(
          tem,
          sql`update ${sql.ident(table)} set ${column('deletedAt')} = ${boundValue(tem, props.deletedAt!, now)},
                ${column('updatedAt')} = ${boundValue(tem, props.updatedAt!, now)},
                ${column('version')} = ${column('version')} + 1
              where id in (select entity_id from ${CREATED} where entity_type = ${target.name})`,
        );
        reverted += Number(changed?.n ?? 0);
      }
      await execute(tem, sql`drop table if exists ${CREATED}`);
      return reverted;
    },
  };
}
