import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_DIR, migrationsApplied, openDatabase, runMigrations, SHORT_LIVED } from '../../src/db/connection.ts';

describe('migrations', () => {
  it('a fresh database file migrates, with the pragmas the bot relies on', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-db-')), 'fresh.db');
    const db = openDatabase(file);
    expect(migrationsApplied(db)).toBe(false);
    runMigrations(db);
    expect(migrationsApplied(db)).toBe(true);
    const tables = (db.$client.prepare(`select name from sqlite_master where type='table'`).all() as { name: string }[]).map((r) => r.name);
    for (const t of ['items', 'item_people', 'audit', 'outbox', 'card_refs', 'inbound_events', 'handled', 'users', 'chats']) expect(tables).toContain(t);
    expect(db.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite!.pragma('busy_timeout', { simple: true })).toBe(5000);
    runMigrations(db); // idempotent
    db.$client.close();
  });

  it('0006 moves the exactly-once claims of an existing database out of inbound_events, and keeps them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-db-'));
    try {
      // The migrations up to 0005, as a database made before 0006 has them.
      const upTo5 = join(dir, 'migrations');
      cpSync(MIGRATIONS_DIR, upTo5, { recursive: true });
      const journalFile = join(upTo5, 'meta/_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number }> };
      journal.entries = journal.entries.filter((e) => e.idx <= 5);
      writeFileSync(journalFile, JSON.stringify(journal));
      const db = openDatabase(join(dir, 'old.db'), SHORT_LIVED);
      migrate(drizzle(db.sqlite!), { migrationsFolder: upTo5 });
      const insert = db.$client.prepare(`insert into inbound_events (platform, event_id, received_at, status, payload) values (?, ?, ?, ?, ?)`);
      insert.run('feishu', 'ev_1', 1000, 'done', '{"schema":"2.0"}');
      insert.run('feishu', 'handled:om_1', 2000, 'done', '');
      insert.run('dingtalk', 'handled:msg_2', 3000, 'done', '');
      runMigrations(db);
      expect(db.$client.prepare(`select platform, event_id as eventId from inbound_events`).all()).toEqual([{ platform: 'feishu', eventId: 'ev_1' }]);
      expect(db.$client.prepare(`select key, at from handled order by at`).all()).toEqual([
        { key: 'feishu:om_1', at: 2000 },
        { key: 'dingtalk:msg_2', at: 3000 },
      ]);
      // The claims still hold: the message already handled is refused.
      expect(db.$client.prepare(`insert into handled (key, at) values ('feishu:om_1', 4000) on conflict do nothing`).run().changes).toBe(0);
      expect(db.$client.prepare(`select sql from sqlite_master where name = 'handled'`).pluck().get()).toContain('WITHOUT ROWID');
      db.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
