// Opens the SQLite database with the pragmas the bot relies on, and applies migrations.

import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets readers (health checks, the sandbox page) run beside the writer; NORMAL is durable
  // across application crashes in WAL mode, which is the failure we guard against.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return drizzle(sqlite, { schema }) as Db;
}

export function runMigrations(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}

/** Whether every migration in migrations/ has been applied (for /readyz). */
export function migrationsApplied(db: Db): boolean {
  const journal = db.$client
    .prepare(`select count(*) as n from sqlite_master where type='table' and name='__drizzle_migrations'`)
    .get() as { n: number };
  if (!journal.n) return false;
  const applied = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
  return applied.n >= expectedMigrations();
}

let expected: number | undefined;
function expectedMigrations(): number {
  // Read once: the journal lists every generated migration.
  expected ??= (JSON.parse(readFileSync(resolve(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] })
    .entries.length;
  return expected;
}

/** A fresh in-memory database with the real migrations applied (tests). */
export function openTestDatabase(): Db {
  const db = openDatabase(':memory:');
  runMigrations(db);
  return db;
}
