// InboundStore on a real SQLite file: group commit (one transaction per event-loop turn, each
// request acknowledged only once its row is committed), de-duplication inside and across
// batches, processing on the parsed event, statuses, recovery and failures.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/domain/clock.ts';
import { type Db, openDatabase, runMigrations } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { InboundStore } from '../../src/engine/inbound.ts';

let dir: string;
let db: Db;
let repo: Repo;
let store: InboundStore;
/** A second connection: sees only what was committed. */
let other: Database.Database;
let handled: Array<{ payload: string; parsed: unknown }>;
let transactions: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gf-inbound-'));
  db = openDatabase(join(dir, 'db.sqlite'));
  runMigrations(db);
  repo = new Repo(db);
  // Counts the write transactions the store opens (the real Repo.tx underneath).
  transactions = 0;
  const tx = repo.tx.bind(repo);
  repo.tx = <T>(fn: () => T): T => {
    transactions++;
    return tx(fn);
  };
  store = new InboundStore(repo, new FakeClock(new Date('2026-11-23T10:00:00+08:00')), pino({ level: 'silent' }));
  handled = [];
  store.on('p', (payload, parsed) => {
    handled.push({ payload, parsed });
  });
  other = new Database(join(dir, 'db.sqlite'), { readonly: true });
});

afterEach(async () => {
  await store.idle();
  other.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const committed = (id: string) =>
  other.prepare('select status from inbound_events where platform = ? and event_id = ?').get('p', id) as { status: string } | undefined;

describe('group commit', () => {
  it('stores the events of one event-loop turn in one transaction, and acknowledges each only once committed', async () => {
    const seenAtAck: Array<string | undefined> = [];
    const acks = ['e1', 'e2', 'e3'].map((id) =>
      store.submit('p', id, `{"id":"${id}"}`).then((fresh) => {
        // Visible to another connection when the acknowledgement may go out.
        seenAtAck.push(committed(id)?.status);
        return fresh;
      }),
    );
    // Nothing written yet within this turn.
    expect(committed('e1')).toBeUndefined();
    expect(transactions).toBe(0);
    expect(await Promise.all(acks)).toEqual([true, true, true]);
    expect(seenAtAck).toEqual(['pending', 'pending', 'pending']);
    expect(transactions).toBe(1);
  });

  it('processes new events after the acknowledgement, on the parsed event, and marks them done with the next commit', async () => {
    const parsed = { already: 'parsed' };
    expect(await store.submit('p', 'e1', '{"x":1}', { parsed })).toBe(true);
    expect(handled).toEqual([]);
    await store.idle();
    expect(handled).toEqual([{ payload: '{"x":1}', parsed }]);
    expect(committed('e1')?.status).toBe('done');
  });

  it('a trickle of events costs one commit each: the statuses of processed events go with the next events', async () => {
    const tick = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 10; i++) {
      expect(await store.submit('p', `t${i}`, String(i))).toBe(true);
      await tick();
      await tick(); // processed by now, its status waiting for the next commit
      expect(handled).toHaveLength(i + 1);
    }
    await store.idle();
    expect(transactions).toBe(11);
    expect(other.prepare(`select count(*) as n from inbound_events where status = 'done'`).get()).toEqual({ n: 10 });
  });

  it('a retry of the same id is a duplicate: in another batch, and twice inside one batch', async () => {
    expect(await store.submit('p', 'e1', 'a')).toBe(true);
    expect(await Promise.all([store.submit('p', 'e1', 'a'), store.submit('p', 'e2', 'b'), store.submit('p', 'e2', 'b')])).toEqual([false, true, false]);
    await store.idle();
    expect(handled.map((h) => h.payload)).toEqual(['a', 'b']);
  });

  it('markers de-duplicate across event ids (the same message under two events), stored as done', async () => {
    const [first, second] = await Promise.all([
      store.submit('p', 'ev1', 'm', { markers: ['message:om1'] }),
      store.submit('p', 'ev2', 'm', { markers: ['message:om1'] }),
    ]);
    expect([first, second]).toEqual([true, false]);
    expect(committed('message:om1')?.status).toBe('done');
    expect(committed('ev2')).toBeUndefined();
    await store.idle();
    expect(handled).toHaveLength(1);
    expect(await store.submit('p', 'ev3', 'm', { markers: ['message:om1'] })).toBe(false);
  });

  it('an event that cannot be stored fails alone; the others of its batch are stored', async () => {
    db.$client.exec(`create trigger poison before insert on inbound_events when new.event_id = 'bad' begin select raise(abort, 'disk full'); end`);
    const results = await Promise.allSettled([store.submit('p', 'ok1', '1'), store.submit('p', 'bad', '2'), store.submit('p', 'ok2', '3')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toContain('disk full');
    expect([committed('ok1'), committed('bad'), committed('ok2')].map((r) => r?.status)).toEqual(['pending', undefined, 'pending']);
    await store.idle();
    expect(handled.map((h) => h.payload)).toEqual(['1', '3']);
  });

  it('a failing handler marks its event error, and the next events still run', async () => {
    store.on('q', (payload) => {
      if (payload === 'boom') throw new Error('boom');
    });
    await Promise.all([store.submit('q', 'x1', 'boom'), store.submit('q', 'x2', 'fine')]);
    await store.idle();
    const status = (id: string) => (other.prepare('select status from inbound_events where platform = ? and event_id = ?').get('q', id) as { status: string }).status;
    expect([status('x1'), status('x2')]).toEqual(['error', 'done']);
  });
});

describe('recovery and pruning', () => {
  it('recover() processes what a crash left pending, from the stored text, oldest first', async () => {
    expect(store.accept('p', 'r1', 'first')).toBe(true);
    expect(store.accept('p', 'r2', 'second')).toBe(true);
    expect(store.accept('p', 'r1', 'first')).toBe(false);
    expect(await store.recover()).toBe(2);
    expect(handled).toEqual([
      { payload: 'first', parsed: undefined },
      { payload: 'second', parsed: undefined },
    ]);
    expect([committed('r1')?.status, committed('r2')?.status]).toEqual(['done', 'done']);
    expect(await store.recover()).toBe(0);
  });

  it('prune() forgets ids and exactly-once claims older than the horizon', async () => {
    const clock = new FakeClock(new Date('2026-11-20T10:00:00+08:00'));
    const old = new InboundStore(repo, clock, pino({ level: 'silent' }));
    old.accept('p', 'old', '');
    const now = new Date('2026-11-23T10:00:00+08:00').getTime();
    repo.tx(() => {
      expect(repo.claimMessage('p', 'm-old', clock.now().getTime())).toBe(true);
      expect(repo.claimMessage('p', 'm-new', now)).toBe(true);
    });
    expect(store.prune()).toBe(2);
    expect(committed('old')).toBeUndefined();
    repo.tx(() => {
      expect(repo.claimMessage('p', 'm-old', now)).toBe(true); // forgotten
      expect(repo.claimMessage('p', 'm-new', now)).toBe(false); // still within the horizon
    });
  });
});
