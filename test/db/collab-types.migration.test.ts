import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { MIGRATIONS_DIR, openDatabase, runMigrations, SHORT_LIVED } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { REQUEST_STATES } from '../../src/domain/request.machine.ts';
import { ProcessRegistry, stageImpliedByState } from '../../src/domain/processes/registry.ts';

describe('migration 0007 add_collab_types', () => {
  it('gives requests made before types the 跨部门 type at the stage their state implies, and loses nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-db-'));
    try {
      const upTo6 = join(dir, 'migrations');
      cpSync(MIGRATIONS_DIR, upTo6, { recursive: true });
      const journalFile = join(upTo6, 'meta/_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number }> };
      journal.entries = journal.entries.filter((e) => e.idx <= 6);
      writeFileSync(journalFile, JSON.stringify(journal));
      const db = openDatabase(join(dir, 'old.db'), SHORT_LIVED);
      migrate(drizzle(db.sqlite!), { migrationsFolder: upTo6 });
      const insert = db.$client.prepare(
        `insert into items (kind, platform, chat_id, title, state, initiator_id, owner_id, due_at, clock_at, seq_no, data, version, created_at, updated_at)
         values (?, 'sandbox', 'sandbox:g1', ?, ?, 'sandbox:a', 'sandbox:a', 5000, 6000, ?, ?, 3, 1000, 2000)`,
      );
      REQUEST_STATES.forEach((state, i) => insert.run('request', `需求${i}`, state, `2026-技-00${i}`, JSON.stringify({ std: `标准${i}`, round: i })));
      insert.run('task', '子任务', 'doing', null, JSON.stringify({ pct: 40 }));
      db.$client.prepare(`insert into item_people (item_id, user_id, role, status, updated_at) values (1, 'sandbox:b', 'contact', 'confirmed', 1)`).run();
      const before = db.$client.prepare(`select * from items order by id`).all() as Array<Record<string, unknown>>;

      runMigrations(db);

      const after = db.$client.prepare(`select * from items order by id`).all() as Array<Record<string, unknown>>;
      const internal = new ProcessRegistry().get('internal');
      expect(after).toHaveLength(before.length);
      after.forEach((row, i) => {
        const { process, stage, stage_due_at: stageDueAt, ...rest } = row;
        expect(stageDueAt).toBeNull();
        expect(rest).toEqual(before[i]); // every stored column is kept as it was
        if (row.kind === 'request') {
          expect(process).toBe('internal');
          expect(stage).toBe(stageImpliedByState(internal, row.state as string).id);
        } else {
          expect([process, stage]).toEqual([null, null]);
        }
      });
      expect(after.find((r) => r.state === 'review')!.stage).toBe('acceptance');
      expect(after.find((r) => r.state === 'active')!.stage).toBe('execute');
      expect(after.find((r) => r.state === 'closed')!.stage).toBe('retro');
      expect(after.find((r) => r.state === 'pending')!.stage).toBe('request');
      // The repo reads the migrated rows with their new fields.
      expect(new Repo(db).getItem(1)).toMatchObject({ process: 'internal', stage: 'request', data: { std: '标准0', round: 0 }, version: 3 });
      expect(db.$client.prepare(`select count(*) from item_people`).pluck().get()).toBe(1);
      db.$client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
