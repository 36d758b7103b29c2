// Copies an installation's data from one database to another (SQLite → PostgreSQL when a team
// moves to several instances, or back), table by table, every column by name. The target must
// be migrated and hold no data: nothing there is overwritten. Counts are compared at the end.

import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './connection.ts';
import * as schema from './schema.ts';

/** Rows per INSERT statement (well under both backends' limits on bound parameters). */
const BATCH = 200;

/** Tables only a running instance uses (its heartbeat, its leases): not carried over. */
const TRANSIENT = new Set(['instances', 'leases']);

interface TableInfo {
  name: string;
  columns: string[];
  /** The integer id column whose sequence PostgreSQL must continue after the copied rows. */
  serial?: string;
}

/** Every table of the schema, parents before the tables that reference them. */
export function copiedTables(): TableInfo[] {
  const tables = (Object.values(schema) as unknown[])
    .filter((v): v is SQLiteTable => v instanceof SQLiteTable)
    .map((t) => sqliteTableConfig(t))
    .filter((t) => !TRANSIENT.has(t.name));
  const withFk = (t: (typeof tables)[number]) => t.foreignKeys.length > 0;
  return [...tables.filter((t) => !withFk(t)), ...tables.filter(withFk)].map((t) => ({
    name: t.name,
    columns: t.columns.map((c) => c.name),
    serial: t.columns.find((c) => c.primary && c.name === 'id' && c.columnType === 'SQLiteInteger')?.name,
  }));
}

export interface CopyReport {
  tables: Array<{ name: string; rows: number }>;
}

const count = (db: Db, table: string) => (db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

/** Copies every row of `from` into the empty, migrated `to`; throws before writing if `to` has data. */
export function copyDatabase(from: Db, to: Db, onTable?: (name: string, rows: number) => void): CopyReport {
  const tables = copiedTables();
  const busy = tables.filter((t) => count(to, t.name) > 0).map((t) => t.name);
  if (busy.length) throw new Error(`目标数据库已有数据（${busy.join(', ')}），不会覆盖 / the target already holds data in: ${busy.join(', ')}`);
  const report: CopyReport = { tables: [] };
  to.$client.transaction(() => {
    for (const t of tables) {
      const cols = t.columns.join(', ');
      const read = from.$client.prepare(`select ${cols} from ${t.name}`).raw(true);
      const rows = read.all() as unknown[][];
      for (let i = 0; i < rows.length; i += BATCH) {
        const part = rows.slice(i, i + BATCH);
        const values = part.map(() => `(${t.columns.map(() => '?').join(', ')})`).join(', ');
        to.$client.prepare(`insert into ${t.name} (${cols}) values ${values}`).run(part.flat());
      }
      if (t.serial && to.dialect === 'postgres' && rows.length) {
        // Ids were copied as they were: new rows continue after the highest.
        to.$client.prepare(`select setval(pg_get_serial_sequence('${t.name}', '${t.serial}'), (select max(${t.serial}) from ${t.name})) as v`).get();
      }
      report.tables.push({ name: t.name, rows: rows.length });
      onTable?.(t.name, rows.length);
    }
  }).immediate();
  const wrong = report.tables.filter((t) => count(to, t.name) !== count(from, t.name));
  if (wrong.length) throw new Error(`copied row counts differ in ${wrong.map((t) => t.name).join(', ')}`);
  return report;
}
