// Delivers everything pending in a runtime driven by a fake clock: drains, then moves the clock
// to the next attempt time of the row holding each chat back (a retry's backoff, a rate-limit
// reset), until nothing is pending. Returns the number of passes.

import type { FakeClock } from '../../../src/domain/clock.ts';
import type { Runtime } from '../../../src/runtime.ts';

export async function deliverAll(rt: Runtime, clock: FakeClock, maxPasses = 5000): Promise<number> {
  const heads = rt.db.$client.prepare(
    `select min(o.next_attempt_at) as t from outbox o where o.status = 'pending'
     and not exists (select 1 from outbox p where p.chat_id = o.chat_id and p.status = 'pending' and p.id < o.id)`,
  );
  for (let pass = 1; pass <= maxPasses; pass++) {
    await rt.dispatcher.idle();
    await rt.dispatcher.drain();
    const next = (heads.get() as { t: number | null }).t;
    if (next === null) return pass;
    if (next > clock.now().getTime()) clock.set(new Date(next));
  }
  throw new Error('outbox did not settle');
}
