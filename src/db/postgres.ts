// PostgreSQL: opening the synchronous client and applying migrations/pg under an advisory lock.
//
// Migrations are drizzle-kit's files, applied through the same synchronous client the bot uses,
// so start-up needs no second connection. Their journal (__drizzle_migrations, in drizzle's
// format) lives beside the tables, in the connection's current schema, as on SQLite: two
// installations in two schemas of one database keep their own. Several instances starting
// together wait on the lock, and each applies only what the others have not.

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { PgClient, type PgOptions } from './driver/pg.ts';

export const PG_MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations/pg');

/** Session-level advisory lock held while migrating (any constant distinct from the write lock). */
const MIGRATE_LOCK = 0x67666d67; // "gfmg"

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The migration journal, resolved through the search path like the tables. */
const JOURNAL = ident('__drizzle_migrations');

export function openPostgres(opts: PgOptions): PgClient {
  if (opts.schema) {
    // The schema must exist before the connection's search_path can name it usefully.
    const admin = new PgClient({ ...opts, schema: undefined });
    try {
      admin.exec(`create schema if not exists ${ident(opts.schema)}`);
    } finally {
      admin.close();
    }
  }
  return new PgClient(opts);
}

function migrations() {
  return readMigrationFiles({ migrationsFolder: PG_MIGRATIONS_DIR });
}

let migrationCount: number | undefined;

/** Applies every migration of migrations/pg not yet in the journal; returns how many it applied. */
export function migratePostgres(client: PgClient): number {
  const table = JOURNAL;
  // drizzle-kit names the schema of referenced tables ("public"."items"); unqualified, they are
  // found where the tables are created: the current schema of the search path.
  const inSchema = (statement: string) => statement.replaceAll('"public".', '');
  client.exec(`select pg_advisory_lock(${MIGRATE_LOCK})`);
  try {
    client.exec(`create table if not exists ${table} (id serial primary key, hash text not null, created_at bigint)`);
    const last = client.prepare(`select created_at as at from ${table} order by created_at desc limit 1`).get() as { at: number } | undefined;
    let applied = 0;
    for (const m of migrations()) {
      if (last && last.at >= m.folderMillis) continue;
      client.transaction(() => {
        for (const statement of m.sql) if (statement.trim()) client.exec(inSchema(statement));
        client.prepare(`insert into ${table} (hash, created_at) values (?, ?)`).run(m.hash, m.folderMillis);
      })();
      applied++;
    }
    return applied;
  } finally {
    client.exec(`select pg_advisory_unlock(${MIGRATE_LOCK})`);
  }
}

/** Whether every migration of migrations/pg is in the journal (for /readyz). */
export function postgresMigrated(client: PgClient): boolean {
  const table = JOURNAL;
  const exists = client.prepare(`select to_regclass(?) as t`).get(table) as { t: string | null };
  if (!exists.t) return false;
  const n = (client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  // Read once: /readyz asks often, and the files do not change under a running process.
  migrationCount ??= migrations().length;
  return n >= migrationCount;
}
