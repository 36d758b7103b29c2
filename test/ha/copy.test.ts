// Moving an installation: npm run db:copy carries every row of a SQLite installation into an
// empty PostgreSQL database (and back), the bot goes on there where it left off, and a target
// that already holds data is refused untouched.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openConfigured, openDatabase, runMigrations, testPostgresUrl, testSchemaName, type Db } from '../../src/db/connection.ts';
import { copiedTables, copyDatabase } from '../../src/db/copy.ts';
import { A, B, Conversation } from '../engine/driver.ts';

const dir = mkdtempSync(join(tmpdir(), 'gf-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const url = testPostgresUrl()!;
const freshPostgres = (schema = testSchemaName()) => {
  const db = openConfigured({ file: '', url, schema });
  runMigrations(db);
  return db;
};

/** Every copied table's rows, in a stable order, as plain values. */
function dump(db: Db): Record<string, unknown[][]> {
  const out: Record<string, unknown[][]> = {};
  for (const t of copiedTables()) {
    out[t.name] = db.$client.prepare(`select ${t.columns.join(', ')} from ${t.name} order by ${t.columns.join(', ')}`).raw(true).all() as unknown[][];
  }
  return out;
}

async function seededSqlite(file: string): Promise<Conversation> {
  const db = openDatabase(file);
  runMigrations(db);
  const c = new Conversation('2026-11-23T10:00:00+08:00', {}, db);
  await c.say(A, '/设置 project:官网改版 dept:技术部');
  await c.say(A, '/需求 接口联调 协作:@李四 截止:12月18日');
  await c.click(B, c.cardFor('需求确认', B), '确认对接');
  await c.say(A, '/任务 #1 写接口文档 @李四 截止:周五');
  await c.say(B, '/问题 #1 支付回调超时 sev:重要 @张三 截止:周五');
  await c.at('2026-11-24T18:05:00+08:00');
  return c;
}

describe('npm run db:copy', () => {
  it('carries every row from SQLite to PostgreSQL, where the bot goes on, and back', async () => {
    const c = await seededSqlite(join(dir, 'live.db'));
    const before = dump(c.db);
    expect(before.items!.length).toBeGreaterThanOrEqual(3);
    expect(before.audit!.length).toBeGreaterThan(3);
    expect(before.outbox!.length).toBeGreaterThan(3);
    expect(before.reminders!.length).toBeGreaterThan(0);

    const pg = freshPostgres();
    const report = copyDatabase(c.db, pg);
    expect(report.tables.find((t) => t.name === 'items')!.rows).toBe(before.items!.length);
    expect(dump(pg)).toEqual(before);

    // The copy is a working installation: ids go on after the copied ones, state is there.
    const moved = new Conversation('2026-11-25T10:00:00+08:00', {}, pg);
    const next = Math.max(...before.items!.map((r) => r[0] as number)) + 1;
    // Message ids claimed before the move stay claimed: a platform's late retry acts nowhere.
    expect(await moved.say(A, '/需求 数据看板 协作:@李四 截止:12月25日')).toEqual([]);
    (moved as unknown as { msgSeq: number }).msgSeq = 1000;
    expect(moved.texts(await moved.say(A, '/需求 数据看板 协作:@李四 截止:12月25日')).join()).toContain(`#${next}`);
    expect(moved.repo.getItem(next)!.title).toBe('数据看板');
    expect(moved.repo.getItem(1)!.state).toBe(c.repo.getItem(1)!.state);

    // And back to a new SQLite file.
    const back = openDatabase(join(dir, 'back.db'));
    runMigrations(back);
    copyDatabase(pg, back);
    expect(dump(back)).toEqual(dump(pg));
  });

  it('refuses a target that already holds data, and leaves it as it was', async () => {
    const c = await seededSqlite(join(dir, 'second.db'));
    const pg = freshPostgres();
    copyDatabase(c.db, pg);
    const held = dump(pg);
    expect(() => copyDatabase(c.db, pg)).toThrow(/已有数据.*items/);
    expect(dump(pg)).toEqual(held);
  });

  it('runs as the npm script, migrating the target first', async () => {
    const c = await seededSqlite(join(dir, 'cli.db'));
    c.db.sqlite!.close();
    const schema = testSchemaName();
    const target = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    openConfigured({ file: "", url, schema }).pg!.close(); // creates the schema, for search_path to name it
    const out = execFileSync('npx', ['tsx', 'src/db/copy-cli.ts', '--from', join(dir, 'cli.db'), '--to', target], { encoding: 'utf8' });
    expect(out).toMatch(/复制完成 \/ copied \d+ rows/);
    const pg = openConfigured({ file: '', url, schema });
    expect(dump(pg).items!.length).toBe(3);
    expect(() => execFileSync('npx', ['tsx', 'src/db/copy-cli.ts', '--from', join(dir, 'cli.db'), '--to', target], { encoding: 'utf8', stdio: 'pipe' })).toThrow(
      /已有数据/,
    );
  });
});
