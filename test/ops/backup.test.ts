import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrationsApplied, openDatabase, runMigrations } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { backupDatabase } from '../../src/ops/backup.ts';

describe('online backup', () => {
  it('copies a live database while it is being written, and the copy opens and restores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-backup-'));
    const db = openDatabase(join(dir, 'live.db'));
    runMigrations(db);
    const repo = new Repo(db);
    for (let i = 0; i < 500; i++) repo.upsertUser(`sandbox:u${i}`, `用户${i}`, i);
    // Keep writing while the backup runs.
    let writes = 0;
    const writer = setInterval(() => repo.upsertUser(`sandbox:w${writes++}`, 'w', 0), 1);
    const r = await backupDatabase(db, join(dir, 'copy.db'));
    clearInterval(writer);
    expect(r.pages).toBeGreaterThan(0);
    const copy = openDatabase(r.file);
    expect(migrationsApplied(copy)).toBe(true);
    const n = (copy.$client.prepare(`select count(*) as n from users where id like 'sandbox:u%'`).get() as { n: number }).n;
    expect(n).toBe(500);
    expect(copy.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.$client.close();
    db.$client.close();
  });

  it('npm run backup writes a file the bot can open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-backup-cli-'));
    const file = join(dir, 'bot.db');
    const db = openDatabase(file);
    runMigrations(db);
    new Repo(db).upsertUser('sandbox:x', '某人', 0);
    const out = execFileSync('npx', ['tsx', 'src/ops/backup-cli.ts', join(dir, 'b.db')], {
      env: { ...process.env, GROUPFLOW_DB_FILE: file, BOT_CONFIG: join(dir, 'none.json') === '' ? '' : '' },
      encoding: 'utf8',
    });
    expect(out).toContain('backup written');
    const copy = openDatabase(join(dir, 'b.db'));
    expect(copy.$client.prepare('select name from users').get()).toEqual({ name: '某人' });
    copy.$client.close();
    db.$client.close();
  });
});
