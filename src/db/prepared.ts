// Helpers for stores that hold their own statements: each SQL text is compiled once, on first
// use (a store may be made before a table it never touches exists), and kept for the connection.

import type { SqlStatement as Statement } from './driver/types.ts';
import type { Db } from './connection.ts';

/** A statement compiled on first use and reused after. */
export function prepared(db: Db, sql: string): () => Statement {
  let st: Statement | undefined;
  return () => (st ??= db.$client.prepare(sql));
}

/** One store per connection, so that callers holding only a `Db` do not recompile its statements. */
export function perConnection<T>(make: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let store = made.get(db);
    if (!store) made.set(db, (store = make(db)));
    return store;
  };
}
