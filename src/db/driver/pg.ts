// A synchronous PostgreSQL client with better-sqlite3's API, over `pg` on a worker thread.
//
// The engine is synchronous by design: one command is one transaction whose reads, checks and
// writes run back to back, and nothing else of the process runs in between. On SQLite that is the
// driver's nature; here each statement is sent to a worker thread that holds the connection
// (pg-worker.cjs) and the main thread waits for the reply on a shared buffer (Atomics). The SQL
// of src/db is written for SQLite; `toPostgres` rewrites the few spellings that differ
// (placeholders, camelCase aliases), and the stores use `dialect.ts` where a construct has no
// common spelling.
//
// Write transactions take one cluster-wide advisory lock first: instances write one at a time,
// as SQLite's BEGIN IMMEDIATE makes one process's connections do, so every invariant the engine
// checks inside a transaction (one 总对接人 per side, a card clicked once…) holds across
// instances. The work that scales out — sending under per-chat leases, the platform
// connections — runs outside that lock.

import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { RunResult, SqlClient, SqlStatement, Transaction } from './types.ts';

type Reply<T> = { result: T } | { error: { message: string; code?: string } };
type Request =
  | { op: 'open'; url: string; schema?: string; connectTimeoutMs: number; applicationName: string }
  | { op: 'query'; handle: number; text: string; values: unknown[]; array: boolean }
  | { op: 'exec'; handle: number; text: string }
  | { op: 'close'; handle: number };

/** How long the main thread waits for one statement before giving up (a lost server, a stuck lock). */
const CALL_TIMEOUT_MS = 30_000;
/**
 * Checks of the reply flag before sleeping on it. A reply from a local server usually comes
 * within this spin, and waking from Atomics.wait costs more than the query itself; a
 * general-purpose sync-call library (synckit) costs several times more per statement for that
 * reason, which is why this bridge is written out here.
 */
const SPINS = 100_000;

/** One worker thread holds every PostgreSQL connection of the process; requests go one at a time. */
class Bridge {
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(fileURLToPath(new URL('./pg-worker.cjs', import.meta.url)), {
      workerData: { port: port2, flag: this.flag.buffer },
      transferList: [port2],
      // Plain CommonJS: no loader of the parent's (tsx) in the worker.
      execArgv: [],
    });
    // The worker only answers the main thread; it must not keep the process alive by itself.
    worker.unref();
    port1.unref();
    this.port = port1;
  }

  call<T>(req: Request): T {
    const id = ++this.seq;
    const seen = Atomics.load(this.flag, 0);
    this.port.postMessage({ ...req, id });
    for (let i = 0; i < SPINS && Atomics.load(this.flag, 0) === seen; i++);
    const deadline = Date.now() + CALL_TIMEOUT_MS;
    Atomics.wait(this.flag, 0, seen, CALL_TIMEOUT_MS);
    // The flag can move before the message is readable on this side of the port, and a reply to
    // a request that timed out earlier may come first: read until this request's reply is there.
    for (;;) {
      const reply = receiveMessageOnPort(this.port)?.message as (Reply<T> & { id: number }) | undefined;
      if (reply?.id === id) {
        if ('error' in reply) throw new PgError(reply.error.message, reply.error.code);
        return reply.result;
      }
      if (reply) continue;
      if (Date.now() >= deadline) throw new PgError(`PostgreSQL did not answer within ${CALL_TIMEOUT_MS / 1000} s`, 'TIMEOUT');
      Atomics.wait(this.flag, 0, Atomics.load(this.flag, 0), 1);
    }
  }
}

let bridge: Bridge | undefined;
const call = <T>(req: Request): T => (bridge ??= new Bridge()).call<T>(req);

/** An error from PostgreSQL, with its SQLSTATE code (e.g. 23505 for a unique violation). */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PgError';
  }

  /** The statement that failed, for the log. */
  statement?: string;
}

/** The advisory lock every write transaction holds (any constant: it only has to be the same). */
export const WRITE_LOCK = 0x67666c77; // "gflw"

/**
 * SQLite spellings → PostgreSQL: `?` and `@name` placeholders become `$1…` (`names` lists the
 * named ones in order), and a camelCase alias is quoted (PostgreSQL folds unquoted names to lower
 * case; the stores read `chatId`). Quoted text and identifiers are left as they are.
 */
export function toPostgres(sql: string): { text: string; names: string[] } {
  let out = '';
  let n = 0;
  const names: string[] = [];
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') out += `$${++n}`;
    else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const name = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))![0];
      let k = names.indexOf(name);
      if (k === -1) k = names.push(name) - 1;
      out += `$${k + 1}`;
      i += name.length;
    } else out += c;
  }
  return { text: out.replace(/\bas\s+([a-z][a-z0-9]*[A-Z][A-Za-z0-9]*)\b/g, 'as "$1"'), names };
}

class PgStatement implements SqlStatement {
  private array = false;
  private first = false;
  private readonly text: string;
  private readonly names: string[];

  constructor(
    private readonly client: PgClient,
    sql: string,
  ) {
    ({ text: this.text, names: this.names } = toPostgres(sql));
  }

  /** better-sqlite3 takes named parameters as one object. */
  private values(params: unknown[]): unknown[] {
    // …and anonymous ones as the arguments, or as one array.
    if (this.names.length === 0) return params.length === 1 && Array.isArray(params[0]) ? params[0] : params;
    const named = (params[0] ?? {}) as Record<string, unknown>;
    return this.names.map((k) => named[k] ?? null);
  }

  raw(on = true): this {
    this.array = on;
    return this;
  }

  pluck(on = true): this {
    this.first = on;
    return this;
  }

  run(...params: unknown[]): RunResult {
    return { changes: this.client.query(this.text, this.values(params), false).rowCount };
  }

  get(...params: unknown[]): unknown {
    return this.rows(params)[0];
  }

  all(...params: unknown[]): unknown[] {
    return this.rows(params);
  }

  private rows(params: unknown[]): unknown[] {
    const r = this.client.query(this.text, this.values(params), this.array || this.first);
    return this.first ? r.rows.map((row) => (row as unknown[])[0]) : r.rows;
  }
}

export interface PgOptions {
  url: string;
  /** A schema to work in instead of the user's default (tests: one schema per database). */
  schema?: string;
  connectTimeoutMs?: number;
  applicationName?: string;
}

export class PgClient implements SqlClient {
  private handle: number;
  private depth = 0;
  open = true;

  constructor(readonly opts: PgOptions) {
    this.handle = call<number>({
      op: 'open',
      url: opts.url,
      schema: opts.schema,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      applicationName: opts.applicationName ?? 'groupflow',
    });
  }

  query(text: string, values: unknown[], array: boolean): { rows: unknown[]; rowCount: number } {
    try {
      return call({ op: 'query', handle: this.handle, text, values: values.map(param), array });
    } catch (err) {
      // Which statement failed (its text only: values may be user data).
      if (err instanceof PgError && !err.statement) err.statement = text.replace(/\s+/g, ' ').slice(0, 300);
      throw err;
    }
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, sql);
  }

  exec(sql: string): void {
    call({ op: 'exec', handle: this.handle, text: sql });
  }

  /**
   * Like better-sqlite3's: nested calls become savepoints; an exception rolls back and rethrows.
   * Every outermost transaction takes the write lock (the engine's are all writers).
   */
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F> {
    const run = (...args: Parameters<F>): ReturnType<F> => {
      const outer = this.depth === 0;
      const name = `sp${this.depth}`;
      this.exec(outer ? `begin; select pg_advisory_xact_lock(${WRITE_LOCK})` : `savepoint ${name}`);
      this.depth++;
      let result: ReturnType<F>;
      try {
        result = fn(...args) as ReturnType<F>;
      } catch (err) {
        this.depth--;
        try {
          this.exec(outer ? 'rollback' : `rollback to savepoint ${name}; release savepoint ${name}`);
        } catch {
          // The connection is gone: the server has rolled the transaction back already.
        }
        throw err;
      }
      this.depth--;
      // A commit that fails has rolled back on the server: nothing to undo here.
      this.exec(outer ? 'commit' : `release savepoint ${name}`);
      return result;
    };
    const tx = run as Transaction<F>;
    tx.immediate = run;
    return tx;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    call({ op: 'close', handle: this.handle });
  }
}

/** SQLite takes Buffers, numbers, strings and null; so does pg, but a JS boolean would be 'true'. */
function param(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
