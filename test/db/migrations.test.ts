import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrationsApplied, openDatabase, runMigrations } from '../../src/db/connection.ts';

describe('migrations', () => {
  it('a fresh database file migrates, with the pragmas the bot relies on', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-db-')), 'fresh.db');
    const db = openDatabase(file);
    expect(migrationsApplied(db)).toBe(false);
    runMigrations(db);
    expect(migrationsApplied(db)).toBe(true);
    const tables = (db.$client.prepare(`select name from sqlite_master where type='table'`).all() as { name: string }[]).map((r) => r.name);
    for (const t of ['items', 'item_people', 'audit', 'outbox', 'card_refs', 'inbound_events', 'users', 'chats']) expect(tables).toContain(t);
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.$client.pragma('busy_timeout', { simple: true })).toBe(5000);
    runMigrations(db); // idempotent
    db.$client.close();
  });

  it('the schema and the committed migrations agree (generating again yields nothing new)', () => {
    // drizzle-kit resolves --out relative to the working directory, so stay inside the repo.
    const root = join(MIGRATIONS_DIR, '..');
    mkdirSync(join(root, '.tmp'), { recursive: true });
    const out = mkdtempSync(join(root, '.tmp', 'mig-'));
    try {
      cpSync(MIGRATIONS_DIR, out, { recursive: true });
      const before = readdirSync(out).sort();
      const log = execFileSync(
        join(root, 'node_modules/.bin/drizzle-kit'),
        ['generate', '--dialect', 'sqlite', '--schema', './src/db/schema.ts', '--out', relative(root, out)],
        { cwd: root, encoding: 'utf8' },
      );
      expect(log).toContain('No schema changes');
      expect(readdirSync(out).sort()).toEqual(before);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
