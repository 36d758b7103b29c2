// Opens the SQLite database with the pragmas the bot relies on, and applies migrations.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface OpenOptions {
  /**
   * WAL checkpoints run on a worker thread with its own connection, which looks at the WAL every
   * this many ms (default 100), instead of inside commits; 0 leaves them to SQLite
   * (wal_autocheckpoint).
   */
  checkpointEveryMs?: number;
  /**
   * A checkpoint runs when the WAL file is larger than this (default 4 MiB, SQLite's 1,000
   * pages), or when it has stopped growing.
   */
  checkpointWalBytes?: number;
  /** A WAL file larger than this is truncated after its checkpoint (default 64 MiB). */
  truncateWalBytes?: number;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets readers (health checks, the sandbox page) run beside the writer; NORMAL is durable
  // across application crashes in WAL mode, which is the failure we guard against.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const every = opts.checkpointEveryMs ?? 100;
  if (every > 0 && sqlite.pragma('journal_mode', { simple: true }) === 'wal') {
    Checkpointer.start(sqlite, resolve(file), every, opts.checkpointWalBytes ?? 4 * 1024 * 1024, opts.truncateWalBytes ?? 64 * 1024 * 1024);
  }
  return drizzle(sqlite, { schema }) as Db;
}

// ── WAL checkpoints off the request path ───────────────────────────────────────────────────
// By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages: that
// request waits for pages to be copied into the database file and both files to be synced. Here
// the bot's connection never checkpoints (wal_autocheckpoint = 0); a worker thread with its own
// connection looks at the WAL every `checkpointEveryMs` and runs a PASSIVE checkpoint (it never
// blocks the writer) once the WAL is past `checkpointWalBytes` or has stopped growing, and
// TRUNCATE when the WAL file has grown large anyway (the writer restarts the WAL from its start only when it
// finds every frame checkpointed, which steady writing may not allow). It stops when the
// database is closed. If the worker fails, SQLite's own checkpointing is turned back on.

export interface CheckpointResult {
  mode: 'PASSIVE' | 'TRUNCATE';
  /** 1 when the checkpoint could not complete (a writer or reader was in the way). */
  busy: number;
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
  /** Size of the -wal file before and after, in bytes. */
  walBytesBefore: number;
  walBytesAfter: number;
}

// Plain JavaScript (the worker must not need tsx): opens its own connection, checkpoints on a
// timer. `state` (shared): 0 starting · 1 open · 3 closed, so close() can wait for it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { file, driver, everyMs, checkpointBytes, truncateBytes, state } = workerData;
const flag = new Int32Array(state);
if (Atomics.compareExchange(flag, 0, 0, 1) !== 0) process.exit(0);
const Database = require(driver);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('wal_autocheckpoint = 0');
const walSize = () => { try { return fs.statSync(file + '-wal').size; } catch { return 0; } };
let lastSize = -1;
function checkpoint(force) {
  const walBytesBefore = walSize();
  // Only when the WAL has grown past the threshold, or has stopped growing (quiet): a checkpoint
  // of a few frames costs as much in syncs as one of many.
  if (!force && walBytesBefore < checkpointBytes && (walBytesBefore === 0 || walBytesBefore !== lastSize)) {
    lastSize = walBytesBefore;
    return undefined;
  }
  let mode = 'PASSIVE';
  let r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  if (walBytesBefore > truncateBytes) {
    mode = 'TRUNCATE';
    r = db.pragma('wal_checkpoint(TRUNCATE)')[0];
  }
  lastSize = walSize();
  return { mode, busy: r.busy, log: r.log, checkpointed: r.checkpointed, walBytesBefore, walBytesAfter: lastSize };
}
const timer = setInterval(() => {
  try { checkpoint(false); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.close(); } finally { Atomics.store(flag, 0, 3); Atomics.notify(flag, 0); }
    parentPort.close();
    return;
  }
  if (m && m.now !== undefined) {
    try { parentPort.postMessage({ now: m.now, result: checkpoint(true) }); }
    catch (err) { parentPort.postMessage({ now: m.now, error: String(err && err.message || err) }); }
  }
});
`;

const checkpointers = new WeakMap<Database.Database, Checkpointer>();

export class Checkpointer {
  private readonly worker: Worker;
  private readonly state = new Int32Array(new SharedArrayBuffer(4));
  private readonly waiting = new Map<number, { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private stopped = false;

  private constructor(
    private readonly sqlite: Database.Database,
    file: string,
    everyMs: number,
    checkpointBytes: number,
    truncateBytes: number,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { file, driver, everyMs, checkpointBytes, truncateBytes, state: this.state.buffer },
    });
    this.worker.on('message', (m: { now?: number; result?: CheckpointResult; error?: string }) => {
      if (m.now === undefined) return this.fallBack();
      const w = this.waiting.get(m.now);
      this.waiting.delete(m.now);
      if (m.result) w?.resolve(m.result);
      else w?.reject(new Error(m.error ?? 'checkpoint failed'));
    });
    this.worker.on('error', () => this.fallBack());
    // After the listeners (adding one refs the worker again): it never keeps the process alive.
    this.worker.unref();
  }

  /** Starts checkpointing for `sqlite`, and stops it when `sqlite` is closed. */
  static start(sqlite: Database.Database, file: string, everyMs: number, checkpointBytes: number, truncateBytes: number): Checkpointer {
    sqlite.pragma('wal_autocheckpoint = 0');
    const cp = new Checkpointer(sqlite, file, everyMs, checkpointBytes, truncateBytes);
    checkpointers.set(sqlite, cp);
    const close = sqlite.close.bind(sqlite);
    sqlite.close = () => {
      cp.stop();
      return close();
    };
    return cp;
  }

  /** The checkpointer of a database opened with openDatabase (none for ':memory:'). */
  static of(db: Db): Checkpointer | undefined {
    return checkpointers.get(db.$client);
  }

  /** Runs one checkpoint now, on the worker (tests, operations). */
  now(): Promise<CheckpointResult> {
    if (this.stopped) return Promise.reject(new Error('checkpointer stopped'));
    const id = ++this.seq;
    return new Promise<CheckpointResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ now: id });
    }).finally(() => {
      if (!this.waiting.size) this.worker.unref();
    });
  }

  /** Stops the worker and waits (briefly, synchronously) until its connection is closed. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const w of this.waiting.values()) w.reject(new Error('checkpointer stopped'));
    this.waiting.clear();
    // Still starting: it will see this and never open the database.
    if (Atomics.compareExchange(this.state, 0, 0, 3) === 0) return;
    this.worker.postMessage('stop');
    Atomics.wait(this.state, 0, 1, 2000);
  }

  /** The worker failed: SQLite checkpoints inside commits again, as by default. */
  private fallBack(): void {
    if (this.stopped || !this.sqlite.open) return;
    this.sqlite.pragma('wal_autocheckpoint = 1000');
  }
}

export function runMigrations(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
}

/** Whether every migration in migrations/ has been applied (for /readyz). */
export function migrationsApplied(db: Db): boolean {
  const journal = db.$client
    .prepare(`select count(*) as n from sqlite_master where type='table' and name='__drizzle_migrations'`)
    .get() as { n: number };
  if (!journal.n) return false;
  const applied = db.$client.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number };
  return applied.n >= expectedMigrations();
}

let expected: number | undefined;
function expectedMigrations(): number {
  // Read once: the journal lists every generated migration.
  expected ??= (JSON.parse(readFileSync(resolve(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] })
    .entries.length;
  return expected;
}

/** A fresh in-memory database with the real migrations applied (tests). */
export function openTestDatabase(): Db {
  const db = openDatabase(':memory:');
  runMigrations(db);
  return db;
}
