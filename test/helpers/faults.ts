// Database faults for tests, on either backend: every insert into a table fails (a full disk,
// a broken constraint) until the returned function is called.

import type { Db } from '../../src/db/connection.ts';

export function failInserts(db: Db, table: string, message = 'disk full'): () => void {
  const name = `fail_${table}`;
  if (db.dialect === 'postgres') {
    db.$client.exec(`create function ${name}() returns trigger language plpgsql as $$ begin raise exception '${message}'; end $$`);
    db.$client.exec(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`);
    return () => db.$client.exec(`drop trigger ${name} on ${table}; drop function ${name}()`);
  }
  db.$client.exec(`create trigger ${name} before insert on ${table} begin select raise(abort, '${message}'); end`);
  return () => db.$client.exec(`drop trigger ${name}`);
}
