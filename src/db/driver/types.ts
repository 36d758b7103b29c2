// The connection the data layer talks to: better-sqlite3's own API, which the PostgreSQL client
// (pg.ts) implements too, so every store in src/db runs on either backend unchanged.

export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
}

export interface SqlStatement {
  run(...params: unknown[]): RunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** Rows as arrays of column values instead of objects. */
  raw(on?: boolean): this;
  /** Rows as their first column's value. */
  pluck(on?: boolean): this;
}

export interface Transaction<F extends (...args: never[]) => unknown> {
  (...args: Parameters<F>): ReturnType<F>;
  /** BEGIN IMMEDIATE on SQLite; on PostgreSQL the cluster-wide write lock (see pg.ts). */
  immediate(...args: Parameters<F>): ReturnType<F>;
}

export interface SqlClient {
  prepare(sql: string): SqlStatement;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  exec(sql: string): unknown;
  close(): unknown;
}
