// The few SQL constructs with no spelling common to SQLite and PostgreSQL. Everything else the
// stores write is shared SQL (placeholders and aliases are adapted by driver/pg.ts).

import type { Dialect } from './driver/types.ts';

export interface SqlDialect {
  readonly name: Dialect;
  /** A subquery over a JSON array parameter of integers: `id in (${d.jsonInts()})`. */
  jsonInts(): string;
  /** The same for an array of strings. */
  jsonTexts(): string;
  /** An integer field of a JSON text column (null when absent). */
  jsonInt(column: string, key: string): string;
  /** One JSON array text of objects built from `key, value` pairs, over the rows of a query. */
  jsonAgg(pairs: string, orderBy?: string): string;
  /**
   * Appended to a subquery that picks rows to claim: on PostgreSQL, rows another instance is
   * claiming are skipped instead of waited for. SQLite has one writer: nothing to skip.
   */
  skipLocked(): string;
}

const sqlite: SqlDialect = {
  name: 'sqlite',
  jsonInts: () => 'select value from json_each(?)',
  jsonTexts: () => 'select value from json_each(?)',
  jsonInt: (column, key) => `json_extract(${column}, '$.${key}')`,
  jsonAgg: (pairs, orderBy) => `json_group_array(json_object(${pairs})${orderBy ? ` order by ${orderBy}` : ''})`,
  skipLocked: () => '',
};

const postgres: SqlDialect = {
  name: 'postgres',
  jsonInts: () => 'select jsonb_array_elements_text(?::jsonb)::bigint',
  jsonTexts: () => 'select jsonb_array_elements_text(?::jsonb)',
  jsonInt: (column, key) => `(${column}::jsonb ->> '${key}')::bigint`,
  jsonAgg: (pairs, orderBy) => `coalesce(json_agg(json_build_object(${pairs})${orderBy ? ` order by ${orderBy}` : ''}), '[]')::text`,
  skipLocked: () => ' for update skip locked',
};

export const dialects: Record<Dialect, SqlDialect> = { sqlite, postgres };
