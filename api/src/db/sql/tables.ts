import type { EntityClass, EntityMetadata, EntityProperty } from '@mikro-orm/core';
import type { Em } from '../orm';
import { sql, type Sql } from './sql';

/**
 * An entity's table as hand-written SQL names it, from MikroORM's metadata: such statements
 * never spell a table or column name themselves, so they follow the entities as the ORM does.
 */
export interface TableNames {
  meta: EntityMetadata;
  /** The table, as an identifier. */
  table: Sql;
  /** A property stored in one column (a scalar or a many-to-one); throws for any other. */
  property(name: string): EntityProperty;
  /** That property's column as an identifier, qualified by `alias` when given (`t.deleted_at`). */
  column(property: string, alias?: string): Sql;
}

export function tableOf(em: Em, entity: EntityClass<object>): TableNames {
  const meta = em.getMetadata().get(entity.name);
  const property = (name: string): EntityProperty => {
    const prop = meta.properties[name as never] as EntityProperty | undefined;
    if (!prop || prop.fieldNames?.length !== 1) {
      throw new Error(`${meta.className}.${name} is not stored in one column`);
    }
    return prop;
  };
  return {
    meta,
    table: sql.ident(meta.tableName),
    property,
    column: (name, alias) => {
      const column = property(name).fieldNames[0]!;
      return alias === undefined ? sql.ident(column) : sql.ident(alias, column);
    },
  };
}
