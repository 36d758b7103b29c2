// WAL checkpoints off the request path: the bot's connection never checkpoints inside a commit;
// a worker thread with its own connection does, on a timer, and truncates a large WAL; it stops
// with the database, and never keeps the process alive.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer, openDatabase, openTestDatabase, runMigrations } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { backupDatabase } from '../../src/ops/backup.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gf-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const walBytes = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function write(repo: Repo, n: number, tag: string): void {
  // One commit each, as requests do.
  for (let i = 0; i < n; i++) repo.upsertUser(`sandbox:${tag}${i}`, `${tag}${i}`.repeat(20), i);
}

describe('WAL checkpoints', () => {
  it('commits never checkpoint; the worker does, and a large WAL shrinks to nothing', async () => {
    const file = join(dir, 'db.sqlite');
    // Timer off (an hour): only the checkpoints asked for below run.
    const db = openDatabase(file, { checkpointEveryMs: 3600_000, truncateWalBytes: 256 * 1024 });
    try {
      runMigrations(db);
      expect(db.sqlite!.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const repo = new Repo(db);
      write(repo, 3000, 'a');
      // Past SQLite's default 1,000-page autocheckpoint, and still growing: nothing was copied back.
      const before = walBytes(file);
      expect(before).toBeGreaterThan(1000 * 4096);
      const cp = Checkpointer.of(db)!;
      const r = await cp.now();
      expect(r.mode).toBe('TRUNCATE');
      expect(r.busy).toBe(0);
      expect(r.walBytesBefore).toBe(before);
      expect(r.walBytesAfter).toBe(0);
      expect(walBytes(file)).toBe(0);
      // The data is all there, for this connection and for a fresh one.
      expect((db.$client.prepare(`select count(*) as n from users`).get() as { n: number }).n).toBe(3000);
      write(repo, 10, 'b');
      const small = await cp.now();
      expect(small).toMatchObject({ mode: 'PASSIVE', busy: 0 });
      expect(small.checkpointed).toBe(small.log);
    } finally {
      db.$client.close();
    }
    const again = openDatabase(file);
    expect((again.$client.prepare(`select count(*) as n from users`).get() as { n: number }).n).toBe(3010);
    again.$client.close();
  });

  it('runs on its timer while the bot writes, so the WAL does not keep growing', async () => {
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file, { checkpointEveryMs: 20 });
    try {
      runMigrations(db);
      const repo = new Repo(db);
      let peak = 0;
      for (let round = 0; round < 20; round++) {
        write(repo, 100, `r${round}x`);
        peak = Math.max(peak, walBytes(file));
        await sleep(40);
      }
      // 2,000 commits of about 3 pages each would be ~25 MB of WAL without checkpoints; restarted
      // after each checkpoint, it stays near one round's worth.
      expect(peak).toBeLessThan(8 * 1024 * 1024);
      expect((db.$client.prepare(`select count(*) as n from users`).get() as { n: number }).n).toBe(2000);
    } finally {
      db.$client.close();
    }
  });

  it('a WAL that grew while the bot kept writing is truncated at the first quiet moment', async () => {
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file, { checkpointEveryMs: 20, quietTruncateWalBytes: 4 * 1024 * 1024 });
    try {
      runMigrations(db);
      const repo = new Repo(db);
      // One burst, past the 4 MiB (here) at which a quiet WAL is truncated.
      write(repo, 3000, 'q');
      expect(walBytes(file)).toBeGreaterThan(4 * 1024 * 1024);
      for (let i = 0; i < 100 && walBytes(file) > 0; i++) await sleep(20);
      expect(walBytes(file)).toBe(0);
      expect((db.$client.prepare(`select count(*) as n from users`).get() as { n: number }).n).toBe(3000);
    } finally {
      db.$client.close();
    }
  });

  it('a WAL under the quiet limit is kept once checkpointed, and the next burst writes it again from its beginning', async () => {
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file, { checkpointEveryMs: 20 });
    try {
      runMigrations(db);
      const repo = new Repo(db);
      write(repo, 600, 'a');
      const size = walBytes(file);
      expect(size).toBeGreaterThan(4 * 1024 * 1024); // the quiet limit before it was 64 MiB
      // Quiet for many intervals: every frame is copied, the file stays (no truncation).
      await sleep(300);
      expect(walBytes(file)).toBe(size);
      const check = db.$client.prepare('pragma wal_checkpoint(PASSIVE)').get() as { log: number; checkpointed: number };
      expect(check.checkpointed).toBe(check.log);
      // A burst of the same size reuses the file from its beginning (appended, it would double).
      write(repo, 600, 'b');
      expect(walBytes(file)).toBeLessThan(size * 1.2);
      expect((db.$client.prepare(`select count(*) as n from users`).get() as { n: number }).n).toBe(1200);
    } finally {
      db.$client.close();
    }
  });

  it('an in-memory database has no checkpointer; backups still work beside the worker', async () => {
    const mem = openTestDatabase();
    expect(Checkpointer.of(mem)).toBeUndefined();
    mem.$client.close();

    const file = join(dir, 'live.db');
    const db = openDatabase(file, { checkpointEveryMs: 5 });
    runMigrations(db);
    write(new Repo(db), 200, 'k');
    const r = await backupDatabase(db, join(dir, 'copy.db'));
    db.$client.close();
    const copy = openDatabase(r.file);
    expect((copy.$client.prepare(`select count(*) as n from users`).get() as { n: number }).n).toBe(200);
    expect(copy.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
    copy.$client.close();
  });

  it('close() stops the worker and the last close removes the WAL; an unclosed database does not keep the process alive', async () => {
    const file = join(dir, 'db.sqlite');
    const db = openDatabase(file, { checkpointEveryMs: 10 });
    runMigrations(db);
    write(new Repo(db), 50, 'c');
    db.$client.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    await expect(Checkpointer.of(db)!.now()).rejects.toThrow('stopped');

    const script = `
      import { openDatabase, runMigrations } from './src/db/connection.ts';
      const db = openDatabase(${JSON.stringify(join(dir, 'child.db'))}, { checkpointEveryMs: 10 });
      runMigrations(db);
      db.$client.prepare("insert into users (id, name, updated_at) values ('sandbox:z', 'z', 0)").run();
      setTimeout(() => console.log('done'), 50);
    `;
    const t0 = Date.now();
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: join(__dirname, '../..'), encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('done');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
