import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_DIR, openDatabase, runMigrations, SHORT_LIVED } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';

describe('migration 0008 add_chat_leader', () => {
  it('keeps the chats a database had, with no leader, and lets one be set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-db-'));
    try {
      const upTo7 = join(dir, 'migrations');
      cpSync(MIGRATIONS_DIR, upTo7, { recursive: true });
      const journalFile = join(upTo7, 'meta/_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number }> };
      journal.entries = journal.entries.filter((e) => e.idx <= 7);
      writeFileSync(journalFile, JSON.stringify(journal));
      const db = openDatabase(join(dir, 'old.db'), SHORT_LIVED);
      migrate(drizzle(db.sqlite!), { migrationsFolder: upTo7 });
      const cols = () => (db.$client.prepare(`select name from pragma_table_info('chats')`).all() as Array<{ name: string }>).map((r) => r.name);
      expect(cols()).not.toContain('leader_id');
      db.$client
        .prepare(`insert into chats (id, platform, name, project, dept, created_at) values ('sandbox:g1', 'sandbox', '项目群', '官网改版', '技术部', 1000)`)
        .run();

      runMigrations(db);

      expect(cols()).toContain('leader_id');
      const repo = new Repo(db);
      expect(repo.getChat('sandbox:g1')).toEqual({ id: 'sandbox:g1', platform: 'sandbox', name: '项目群', project: '官网改版', dept: '技术部', leaderId: null, createdAt: 1000 });
      repo.setChatLeader('sandbox:g1', 'sandbox:d');
      expect(repo.getChat('sandbox:g1')?.leaderId).toBe('sandbox:d');
      db.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
