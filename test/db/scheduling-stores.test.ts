// Reminders and outbox stores: the queries the scheduler and the dispatcher run.
import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../src/db/connection.ts';
import { OutboxStore } from '../../src/db/outbox.ts';
import { type NewReminder, ReminderStore } from '../../src/db/reminders.ts';
import { Repo } from '../../src/db/repo.ts';

const reminder = (key: string, fireAt: number, more: Partial<NewReminder> = {}): NewReminder => ({
  key,
  itemId: null,
  platform: 'sandbox',
  chatId: 'sandbox:g1',
  rule: 'ping',
  round: 1,
  fireAt,
  urgent: false,
  ...more,
});

describe('ReminderStore', () => {
  it('claims the oldest due rows, once, with rows decoded by name', () => {
    const store = new ReminderStore(new Repo(openTestDatabase()));
    store.insert([reminder('c:1:a', 20, { itemId: 1, urgent: true }), reminder('c:1:b', 10), reminder('c:2:a', 99)], 5);
    const due = store.claimDue(50, 1).concat(store.claimDue(50, 10));
    expect(due.map((r) => r.key)).toEqual(['c:1:b', 'c:1:a']);
    expect(due[1]).toMatchObject({ itemId: 1, platform: 'sandbox', chatId: 'sandbox:g1', rule: 'ping', round: 1, fireAt: 20, urgent: true });
    expect(store.claimDue(50, 10)).toEqual([]);
  });

  it('skips a key already planned, over many rows per statement', () => {
    const store = new ReminderStore(new Repo(openTestDatabase()));
    store.insert(Array.from({ length: 250 }, (_, i) => reminder(`d:${i}:x`, i)), 1);
    store.insert([reminder('d:0:x', 1000)], 2);
    expect(store.upcoming(undefined, 1000)).toHaveLength(250);
    expect(store.upcoming(undefined, 1)[0]).toMatchObject({ key: 'd:0:x', fireAt: 0, urgent: false, status: 'pending', createdAt: 1 });
  });

  it('reads one item by key prefix, and cancels and moves its reminders', () => {
    const store = new ReminderStore(new Repo(openTestDatabase()));
    store.insert([reminder('c:1:a', 1), reminder('c:1:b', 2), reminder('c:12:a', 3), reminder('c:1;', 4)], 0);
    const pending = store.pendingByKeyPrefix('c:1:');
    expect(pending.map((r) => r.key).sort()).toEqual(['c:1:a', 'c:1:b']);
    store.cancel(pending[0]!.id);
    store.move(pending[1]!.id, 50);
    expect(store.pendingByKeyPrefix('c:1:')).toEqual([{ id: pending[1]!.id, key: pending[1]!.key, fireAt: 50 }]);
    store.cancelMany(store.pendingByKeyPrefix('c:12:').map((r) => r.id));
    expect(store.pendingByKeyPrefix('c:12:')).toEqual([]);
  });

  it('keeps planning markers apart from what fires', () => {
    const store = new ReminderStore(new Repo(openTestDatabase()));
    expect(store.exists('nudge-plan:2026-12-07')).toBe(false);
    store.setMarker('nudge-plan:2026-12-07', 'planning', 'sandbox:g1', 1);
    store.setMarker('nudge-plan:2026-12-07', 'marker', 'system', 2);
    expect(store.exists('nudge-plan:2026-12-07')).toBe(true);
    expect(store.marker('nudge-plan:2026-12-07')).toEqual({ status: 'marker', cursor: 'system' });
    expect(store.claimDue(10, 10)).toEqual([]);
    expect(store.upcoming(undefined, 10)).toEqual([]);
  });
});

describe('OutboxStore', () => {
  it('gives each chat its oldest pending row and records what became of a send', () => {
    const repo = new Repo(openTestDatabase());
    const store = new OutboxStore(repo);
    const text = (chatId: string) => ({ platform: 'sandbox' as const, chatId, body: { type: 'text' as const, text: 'hi', mentions: [] } });
    const a1 = repo.enqueue(text('sandbox:a'), 1);
    const a2 = repo.enqueue(text('sandbox:a'), 2);
    const b1 = repo.enqueue(text('sandbox:b'), 3);
    expect(store.pendingCount()).toBe(3);
    expect(store.heads().sort((x, y) => x.id - y.id)).toEqual([
      { id: a1, platform: 'sandbox', chatId: 'sandbox:a', due: 1 },
      { id: b1, platform: 'sandbox', chatId: 'sandbox:b', due: 3 },
    ]);
    expect(store.row(a1)).toMatchObject({ id: a1, chatId: 'sandbox:a', status: 'pending', attempts: 0, urgent: 0, createdAt: 1 });
    expect(JSON.parse(store.row(a1)!.body)).toMatchObject({ type: 'text', text: 'hi' });
    store.markSent(a1, 10, 'm1', 1);
    expect(store.nextOfChat('sandbox:a')).toEqual({ id: a2, platform: 'sandbox', chatId: 'sandbox:a', due: 2 });
    store.retryLater(a2, 1, 500, 'timeout: slow');
    expect(store.nextOfChat('sandbox:a')?.due).toBe(500);
    store.markFailed(b1, 3, 'denied: no');
    expect(store.row(b1)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(store.pendingCount()).toBe(1);
  });
});
