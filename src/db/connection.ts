// Opens the database — SQLite with the pragmas the bot relies on (the default), or PostgreSQL
// when `database.url` is set — and applies migrations.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { dialects, type SqlDialect } from './dialect.ts';
import type { PgClient } from './driver/pg.ts';
import type { Dialect, SqlClient } from './driver/types.ts';
import { migratePostgres, openPostgres, postgresMigrated } from './postgres.ts';

/** A connection to either backend. Stores use `$client` (better-sqlite3's API on both) and `sql`. */
export interface Db {
  readonly dialect: Dialect;
  /** The constructs whose spelling differs between the backends. */
  readonly sql: SqlDialect;
  readonly $client: SqlClient;
  /** The better-sqlite3 connection itself (SQLite only: backups, WAL checkpoints). */
  readonly sqlite?: Database.Database;
  readonly pg?: PgClient;
}

function sqliteDb(sqlite: Database.Database): Db {
  return { dialect: 'sqlite', sql: dialects.sqlite, $client: sqlite as unknown as SqlClient, sqlite };
}

function postgresDb(client: PgClient): Db {
  return { dialect: 'postgres', sql: dialects.postgres, $client: client, pg: client };
}

/** What `database` in the config says: a PostgreSQL URL, or else the SQLite file. */
export interface DatabaseTarget {
  file: string;
  url?: string;
  /** PostgreSQL: the schema to work in (tests); default: the connection's own search path. */
  schema?: string;
}

/** Opens the configured backend (PostgreSQL when `url` is set). */
export function openConfigured(target: DatabaseTarget, opts: OpenOptions = {}): Db {
  if (target.url) return postgresDb(openPostgres({ url: target.url, schema: target.schema }));
  return openDatabase(target.file, opts);
}

/** Where the database lives, for log lines: the file, or the PostgreSQL server without credentials. */
export function describeTarget(target: DatabaseTarget): string {
  if (!target.url) return target.file;
  try {
    const u = new URL(target.url);
    return `postgres://${u.host}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface OpenOptions {
  /**
   * WAL checkpoints run on a worker thread with its own connection, every this many ms
   * (default 100), instead of inside commits; 0 leaves them to SQLite (wal_autocheckpoint).
   */
  checkpointEveryMs?: number;
  /**
   * A WAL file larger than this is truncated after its checkpoint even while the bot is writing
   * (default 256 MiB).
   */
  truncateWalBytes?: number;
  /**
   * A WAL file larger than this (default 64 MiB, at most `truncateWalBytes`) is truncated at the
   * first quiet moment. A smaller one is kept and written again from its beginning: appending to
   * a truncated file costs more (a tick firing 1,000 reminders at 1M items writes ~4 MB, and took
   * ~30 ms longer when each one had to grow the file anew).
   */
  quietTruncateWalBytes?: number;
  /** Largest part of the database file read through a memory map (default 1 GiB; 0 turns it off). */
  mmapBytes?: number;
}

/** For command-line tools that open the database briefly: no checkpoint worker of their own. */
export const SHORT_LIVED: OpenOptions = { checkpointEveryMs: 0 };

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // WAL lets readers (health checks, the sandbox page) run beside the writer; NORMAL is durable
  // across application crashes in WAL mode, which is the failure we guard against.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Reads through a memory map instead of a read() call per page not in SQLite's own 2 MB cache:
  // the scheduler's batch reads of scattered items and reminders at 1M items are mostly that.
  // The mapped pages are the OS page cache (shared, reclaimable), counted in RSS only once read.
  if (file !== ':memory:') sqlite.pragma(`mmap_size = ${opts.mmapBytes ?? 1024 * 1024 * 1024}`);
  const every = opts.checkpointEveryMs ?? 100;
  if (every > 0 && sqlite.pragma('journal_mode', { simple: true }) === 'wal') {
    const truncateBytes = opts.truncateWalBytes ?? 256 * 1024 * 1024;
    Checkpointer.start(sqlite, resolve(file), every, truncateBytes, Math.min(opts.quietTruncateWalBytes ?? QUIET_TRUNCATE_BYTES, truncateBytes));
  }
  return sqliteDb(sqlite);
}

// ── WAL checkpoints off the request path ───────────────────────────────────────────────────
// By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages: that
// request waits for pages to be copied into the database file and both files to be synced. Here
// the bot's connection never checkpoints (wal_autocheckpoint = 0); a worker thread with its own
// connection runs PASSIVE checkpoints every `checkpointEveryMs` (they never block the writer),
// pass after pass until every frame is in the database file, so that the writer's next commit
// can start the WAL over from its beginning. Under steady writing that moment may not come, so
// the file can grow; it is truncated at the first quiet moment (no commit for one interval), or,
// past `truncateWalBytes`, as soon as the passes have copied every frame (TRUNCATE makes the
// writer wait, in SQLite's sleeping busy handler, on the event loop: with nothing left to copy
// that wait is short). It stops when the database is closed. If the worker fails, SQLite's own
// checkpointing is turned back on.

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
const { file, driver, everyMs, quietTruncateBytes, truncateBytes, state } = workerData;
const flag = new Int32Array(state);
if (Atomics.compareExchange(flag, 0, 0, 1) !== 0) process.exit(0);
const Database = require(driver);
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('wal_autocheckpoint = 0');
const walSize = () => { try { return fs.statSync(file + '-wal').size; } catch { return 0; } };
let lastLog = -1;
/** truncate: 'never' | 'quiet' (when no frame was added since the last look) | 'always'. */
function checkpoint(truncate) {
  const walBytesBefore = walSize();
  let mode = 'PASSIVE';
  // Frames written during a pass are copied by the next (quick) one: once every frame is in the
  // database file, the bot's next commit starts the WAL over from its beginning.
  let r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  for (let pass = 1; pass < 8 && r.log > r.checkpointed; pass++) r = db.pragma('wal_checkpoint(PASSIVE)')[0];
  const done = r.log === r.checkpointed;
  const quiet = r.log === lastLog && done;
  lastLog = r.log;
  // Only once every frame is in the database file: TRUNCATE blocks new writers while it runs,
  // and with frames left to copy (and the database file to sync) that could outlast the bot's
  // busy timeout under a heavy burst of writes. With nothing left to copy it only resets the file.
  if (done && (truncate === 'always' || (truncate === 'quiet' && quiet))) {
    mode = 'TRUNCATE';
    r = db.pragma('wal_checkpoint(TRUNCATE)')[0];
    lastLog = -1;
  }
  return { mode, busy: r.busy, log: r.log, checkpointed: r.checkpointed, walBytesBefore, walBytesAfter: walSize() };
}
const timer = setInterval(() => {
  try {
    const size = walSize();
    // Nothing to do without a WAL. Truncated (which makes the bot's writer wait) only at a quiet
    // moment (nothing written since the last look), or at once past the hard limit.
    if (size > 0) checkpoint(size > truncateBytes ? 'always' : size > quietTruncateBytes ? 'quiet' : 'never');
  } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.close(); } finally { Atomics.store(flag, 0, 3); Atomics.notify(flag, 0); }
    parentPort.close();
    return;
  }
  if (m && m.now !== undefined) {
    try { parentPort.postMessage({ now: m.now, result: checkpoint(walSize() > quietTruncateBytes ? 'always' : 'never') }); }
    catch (err) { parentPort.postMessage({ now: m.now, error: String(err && err.message || err) }); }
  }
});
`;

/** A WAL larger than this is truncated at a quiet moment (no commit since the last look). */
const QUIET_TRUNCATE_BYTES = 64 * 1024 * 1024;

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
    truncateBytes: number,
    quietTruncateBytes: number,
  ) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { file, driver, everyMs, quietTruncateBytes, truncateBytes, state: this.state.buffer },
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
  static start(sqlite: Database.Database, file: string, everyMs: number, truncateBytes: number, quietTruncateBytes: number): Checkpointer {
    sqlite.pragma('wal_autocheckpoint = 0');
    const cp = new Checkpointer(sqlite, file, everyMs, truncateBytes, quietTruncateBytes);
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
    return db.sqlite ? checkpointers.get(db.sqlite) : undefined;
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
  if (db.pg) migratePostgres(db.pg);
  else migrate(drizzle(db.sqlite!), { migrationsFolder: MIGRATIONS_DIR });
}

/** Whether every migration has been applied (for /readyz). */
export function migrationsApplied(db: Db): boolean {
  if (db.pg) return postgresMigrated(db.pg);
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

// ── tests ────────────────────────────────────────────────────────────────────────────────────
// With GROUPFLOW_TEST_PG_URL set (the PostgreSQL test project), every test database is a fresh
// schema on that server; otherwise an in-memory SQLite database.

/** PostgreSQL test databases still open in this test file; the oldest are closed past the cap. */
const openTests: Db[] = [];
const OPEN_TESTS_MAX = 64;
let testSchemas = 0;

/**
 * A fresh PostgreSQL schema name for a test database: `gf_test_<run>_…`, where the run is the
 * test runner's process, so that its global teardown drops its own schemas and never those of
 * another run on the same server.
 */
export function testSchemaName(): string {
  return `gf_test_${process.env.GROUPFLOW_TEST_RUN ?? 0}_${process.pid}_${++testSchemas}_${Math.random().toString(36).slice(2, 8)}`;
}

/** The PostgreSQL server tests run on, when they run on one. */
export const testPostgresUrl = (): string | undefined => process.env.GROUPFLOW_TEST_PG_URL || undefined;

/** A fresh database with the real migrations applied (tests). */
export function openTestDatabase(): Db {
  const url = testPostgresUrl();
  if (!url) {
    const db = openDatabase(':memory:');
    runMigrations(db);
    return db;
  }
  const db = openConfigured({ file: '', url, schema: testSchemaName() });
  runMigrations(db);
  openTests.push(db);
  // Tests keep a database for one test or a few; without a cap, a file with hundreds of tests
  // would hold as many connections.
  while (openTests.length > OPEN_TESTS_MAX) openTests.shift()!.pg!.close();
  return db;
}

/** Closes the PostgreSQL test databases still open (after each test file). */
export function closeTestDatabases(): void {
  for (const db of openTests.splice(0)) db.pg!.close();
}
