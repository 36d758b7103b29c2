// A second (third…) scheduler process for the race test: opens the database file, waits for
// "go", then ticks with a small batch limit until nothing more is due, and reports how many
// reminders it fired. Usage: node --import tsx tick-worker.ts <db file> <ISO time> <limit>

import pino from 'pino';
import { parseConfig } from '../../../src/config/load.ts';
import { WorkCalendar } from '../../../src/domain/calendar.ts';
import { FakeClock } from '../../../src/domain/clock.ts';
import { openDatabase } from '../../../src/db/connection.ts';
import { Repo } from '../../../src/db/repo.ts';
import { Scheduler } from '../../../src/scheduler/scheduler.ts';

const [file, at, limitArg] = process.argv.slice(2);
const cfg = parseConfig({ log: { level: 'silent' } });
const repo = new Repo(openDatabase(file!));
// After each transaction, pause briefly outside the write lock: otherwise the first process to
// get the lock takes it again at once while the others sleep in SQLite's busy handler, and one
// process fires everything. With the pause, the processes' batches interleave.
const tx = repo.tx.bind(repo);
const pause = new Int32Array(new SharedArrayBuffer(4));
repo.tx = <T>(fn: () => T): T => {
  const r = tx(fn);
  Atomics.wait(pause, 0, 0, 15);
  return r;
};
const scheduler = new Scheduler({
  repo,
  config: cfg,
  clock: new FakeClock(new Date(at!)),
  calendar: new WorkCalendar({ ...cfg.calendar }),
  log: pino({ level: 'silent' }),
});
process.send!({ type: 'ready' });
process.on('message', (m: { at: number }) => {
  // Start together: every process spins until the same wall time.
  while (Date.now() < m.at);
  let fired = 0;
  let idle = 0;
  // Several passes: while the other process holds the write lock, this one waits (busy_timeout).
  while (idle < 3) {
    const n = scheduler.tick(Number(limitArg));
    fired += n;
    idle = n === 0 ? idle + 1 : 0;
  }
  process.send!({ type: 'done', fired }, () => process.exit(0));
});
