// Operations on the database as a whole (closing it, online backups), so that callers outside
// the data layer never hold the driver's connection.

import type { Db } from './connection.ts';

/** Closes the connection (and stops its checkpointer). */
export function closeDatabase(db: Db): void {
  db.$client.close();
}

/**
 * Copies a consistent snapshot of the live database to `file` with SQLite's backup API, page by
 * page while the bot keeps reading and writing; resolves with the pages copied.
 */
export async function backupTo(db: Db, file: string): Promise<{ pages: number }> {
  if (!db.sqlite) throw new Error('PostgreSQL is backed up with pg_dump (docs/postgres.md), not npm run backup\'s SQLite copy');
  const r = await db.sqlite.backup(file);
  return { pages: r.totalPages };
}
