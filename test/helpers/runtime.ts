// Builds the whole bot the way main.ts does (createRuntime), on an in-memory database, a fake
// clock and a silent logger — for integration and browser tests.

import pino from 'pino';
import { type Db, openTestDatabase, testPostgresUrl } from '../../src/db/connection.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';

/** Monday 2026-11-23 10:00 in Shanghai: "周五" is 2026-11-27. */
export const MONDAY_10AM = '2026-11-23T10:00:00+08:00';

/**
 * A fake clock that starts at a chosen instant and then runs at real speed (for browser tests,
 * where the dispatcher's rate limiter and retry timers must see time pass).
 */
export class RunningClock extends FakeClock {
  private readonly t0 = performance.now();
  override now(): Date {
    return new Date(super.now().getTime() + Math.round(performance.now() - this.t0));
  }
}

export interface TestRuntime extends Runtime {
  clock: FakeClock;
}

export async function testRuntime(opts: { start?: string; config?: ConfigInput; running?: boolean; db?: Db } = {}): Promise<TestRuntime> {
  const config = parseConfig({ database: { file: ':memory:' }, log: { level: 'silent' }, ...opts.config });
  const start = new Date(opts.start ?? MONDAY_10AM);
  const clock = opts.running ? new RunningClock(start) : new FakeClock(start);
  // On the PostgreSQL test project, a schema of its own on that server; else in-memory SQLite.
  const db = opts.db ?? (testPostgresUrl() ? openTestDatabase() : undefined);
  const rt = await createRuntime(config, { clock, log: pino({ level: 'silent' }), db });
  return Object.assign(rt, { clock });
}

/**
 * Delivers everything the last step queued. The dispatcher's per-chat rate limiter defers rows
 * by a few milliseconds once a burst is spent; with a frozen clock they would wait forever, so
 * time is moved to each such row (never by more than `maxStepMs`: real retry backoffs and
 * quiet-hours delays are left alone).
 */
// The oldest pending row of each chat is the one that holds the chat's queue back.
const HEADS = `select min(o.next_attempt_at) as t from outbox o where o.status = 'pending'
  and not exists (select 1 from outbox p where p.chat_id = o.chat_id and p.status = 'pending' and p.id < o.id)`;

export async function deliver(rt: TestRuntime, maxStepMs = 5_000): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await rt.dispatcher.drain();
    const next = (rt.db.$client.prepare(HEADS).get() as { t: number | null }).t;
    if (next === null) return;
    const now = rt.clock.now().getTime();
    if (next - now > maxStepMs) return;
    if (next > now) rt.clock.set(new Date(next));
  }
  throw new Error('outbox did not settle');
}
