// Online backup: SQLite's backup API copies a consistent snapshot page by page while the bot
// keeps reading and writing (WAL mode), so the bot never stops.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Db } from '../db/connection.ts';
import { backupTo } from '../db/maintenance.ts';

export function defaultBackupFile(dbFile: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return resolve(dirname(resolve(dbFile)), 'backups', `groupflow-${stamp}.db`);
}

/** Writes a consistent copy of the live database to `dest`; resolves with the pages copied. */
export async function backupDatabase(db: Db, dest: string): Promise<{ file: string; pages: number }> {
  mkdirSync(dirname(resolve(dest)), { recursive: true });
  const { pages } = await backupTo(db, dest);
  return { file: resolve(dest), pages };
}
