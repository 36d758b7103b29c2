// Online backup: SQLite's backup API copies a consistent snapshot page by page while the bot
// keeps reading and writing (WAL mode), so the bot never stops. On PostgreSQL the same command
// runs pg_dump (custom format, one consistent snapshot, restored with pg_restore).

import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
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

/** `<folder>/groupflow-<UTC stamp>.dump`, beside where SQLite backups go by default. */
export function defaultDumpFile(folder: string, now: Date): string {
  return defaultBackupFile(resolve(folder, 'x'), now).replace(/\.db$/, '.dump');
}

/** The pg_dump command a PostgreSQL backup runs (docs/postgres.md shows it to run by hand). */
export function pgDumpArgs(url: string, dest: string): string[] {
  return ['--format=custom', '--no-owner', `--file=${dest}`, `--dbname=${url}`];
}

/** Runs pg_dump of the configured PostgreSQL database into `dest`; resolves with its size. */
export function dumpPostgres(url: string, dest: string, pgDump = process.env.PG_DUMP ?? 'pg_dump'): { file: string; bytes: number } {
  mkdirSync(dirname(resolve(dest)), { recursive: true });
  try {
    execFileSync(pgDump, pgDumpArgs(url, resolve(dest)), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error(`找不到 ${pgDump}：请安装 PostgreSQL 客户端（Debian: postgresql-client） / ${pgDump} not found`);
    throw new Error(e.stderr?.toString().trim() || e.message);
  }
  return { file: resolve(dest), bytes: statSync(resolve(dest)).size };
}
