// The readiness probe's look at the database: one trivial query on the bot's own connection.

import type { Db } from './connection.ts';
import { perConnection, prepared } from './prepared.ts';

const probe = perConnection((db) => prepared(db, 'select 1 as one'));

/** True when the connection answers a query; throws when it cannot (e.g. closed). */
export function ping(db: Db): boolean {
  return probe(db)().get() !== undefined;
}
