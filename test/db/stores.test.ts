// The small stores of src/db read the same rows drizzle would (shapes and order), and write with
// the semantics their callers rely on.

import { asc, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cardPlaceOfMessage } from '../../src/db/card-refs.ts';
import { openTestDatabase, testPostgresUrl } from '../../src/db/connection.ts';
import { InboundEvents } from '../../src/db/inbound.ts';
import { ping } from '../../src/db/ping.ts';
import { Repo } from '../../src/db/repo.ts';
import { audit, chats, itemPeople, items, users } from '../../src/db/schema.ts';
import { settingsOf } from '../../src/db/settings.ts';
import { snapshotOf } from '../../src/db/snapshot.ts';

function seeded() {
  const db = openTestDatabase();
  const repo = new Repo(db);
  repo.ensureChat('sandbox:g1', 'sandbox', '一组');
  repo.ensureChat('sandbox:g2', 'sandbox', undefined);
  repo.bindChat('sandbox:g1', '项目', '技术部');
  repo.upsertUser('sandbox:u1', '张三', 1);
  repo.upsertUser('sandbox:u2', '李四', 1);
  const a = repo.insertItem({ kind: 'request', platform: 'sandbox', chatId: 'sandbox:g1', title: 'A <@sandbox:u2>', state: 'active', initiatorId: 'sandbox:u1', urgent: true, data: { x: [1, 'y'] }, createdAt: 10, updatedAt: 10 });
  const b = repo.insertItem({ kind: 'task', platform: 'sandbox', chatId: 'sandbox:g2', title: 'B', state: 'open', initiatorId: 'sandbox:u2', ownerId: 'sandbox:u1', parentId: a.id, dueAt: 99, createdAt: 20, updatedAt: 20 });
  repo.insertItem({ kind: 'note', platform: 'sandbox', chatId: 'sandbox:g1', title: 'C', state: 'open', initiatorId: 'sandbox:u1', createdAt: 30, updatedAt: 30 });
  repo.addPerson(a.id, 'sandbox:u2', 'contact', 11, '对接');
  repo.addPerson(b.id, 'sandbox:u1', 'reviewer', 21);
  repo.setPersonStatus(a.id, 'sandbox:u2', 'contact', 'confirmed', 12, '好');
  repo.addAudit({ itemId: a.id, at: 50, actorId: 'sandbox:u1', action: 'create', toState: 'active', detail: { k: 'v' } });
  repo.addAudit({ itemId: b.id, at: 40, actorId: 'sandbox:u2', action: 'create', fromState: null, toState: 'open' });
  repo.addAudit({ itemId: a.id, at: 40, actorId: 'sandbox:u2', action: 'edit', fromState: 'active', toState: 'active', detail: {} });
  return { db, repo, a, b };
}

describe('the archive queries', () => {
  // drizzle's own reads are the reference, and drizzle reads SQLite synchronously only.
  it.skipIf(!!testPostgresUrl())('read the rows drizzle reads, in the same order', () => {
    const { db: conn, a, b } = seeded();
    const q = snapshotOf(conn);
    const db = drizzle(conn.sqlite!);
    const ids = [a.id, b.id];
    expect(q.chat('sandbox:g1')).toEqual(db.select().from(chats).all().find((c) => c.id === 'sandbox:g1'));
    expect(q.chat('sandbox:nope')).toBeUndefined();
    expect(q.items(['sandbox:g1', 'sandbox:g2'])).toEqual(db.select().from(items).orderBy(asc(items.id)).all());
    expect(q.items(['sandbox:g2'])).toEqual(db.select().from(items).orderBy(asc(items.id)).all().filter((i) => i.chatId === 'sandbox:g2'));
    expect(q.people(ids)).toEqual(db.select().from(itemPeople).where(inArray(itemPeople.itemId, ids)).orderBy(asc(itemPeople.id)).all());
    const trail = db.select().from(audit).where(inArray(audit.itemId, ids)).orderBy(asc(audit.at), asc(audit.id)).all();
    expect(q.audit(ids)).toEqual(trail);
    expect(q.audit(ids).map((r) => r.at)).toEqual([40, 40, 50]);
    expect(q.users(['sandbox:u1', 'sandbox:x']).map((u) => ({ id: u.id, name: u.name }))).toEqual(
      db.select().from(users).where(inArray(users.id, ['sandbox:u1', 'sandbox:x'])).all().map((u) => ({ id: u.id, name: u.name })),
    );
    expect(q.changedIn(ids, 45, 60)).toEqual([a.id]);
    expect(q.changedIn(ids, 0, 40)).toEqual([]);
    expect(q.people([])).toEqual([]);
  });

  it('is one store per connection', () => {
    const db = openTestDatabase();
    expect(snapshotOf(db)).toBe(snapshotOf(db));
    expect(snapshotOf(db)).not.toBe(snapshotOf(openTestDatabase()));
  });
});

describe('settings', () => {
  it('get, set and set-if-absent', () => {
    const s = settingsOf(openTestDatabase());
    expect(s.get('k')).toBeUndefined();
    expect(s.setIfAbsent('k', 'a')).toBe(true);
    expect(s.setIfAbsent('k', 'b')).toBe(false);
    expect(s.get('k')).toBe('a');
    s.set('k', 'c');
    expect(s.get('k')).toBe('c');
  });
});

describe('inbound events', () => {
  it('store once, mark, list pending oldest first, forget old rows and claims', () => {
    const repo = new Repo(openTestDatabase());
    const ev = new InboundEvents(repo);
    expect(ev.insert('feishu', 'e2', 20, 'pending', 'p2')).toBe(true);
    expect(ev.insert('feishu', 'e1', 10, 'pending', 'p1')).toBe(true);
    expect(ev.insert('feishu', 'e1', 30, 'pending', 'again')).toBe(false);
    expect(ev.insert('dingtalk', 'e1', 15, 'done', '')).toBe(true);
    expect(ev.get('feishu', 'e1')).toEqual({ status: 'pending', payload: 'p1' });
    expect(ev.pending()).toEqual([
      { platform: 'feishu', eventId: 'e1' },
      { platform: 'feishu', eventId: 'e2' },
    ]);
    ev.setStatus('done', 'feishu', 'e1');
    expect(ev.pending()).toEqual([{ platform: 'feishu', eventId: 'e2' }]);
    expect(repo.claimMessage('feishu', 'm1', 5)).toBe(true);
    expect(repo.tx(() => ev.forgetBefore(16))).toBe(3);
    expect(ev.get('feishu', 'e1')).toBeUndefined();
    expect(ev.get('feishu', 'e2')).toEqual({ status: 'pending', payload: 'p2' });
    expect(repo.isClaimed('feishu', 'm1')).toBe(false);
  });
});

describe('card places and the ping', () => {
  it('find a card by its platform message; the ping answers', () => {
    const { db, repo, a } = seeded();
    repo.saveCardRef('card:1', 'dingtalk', 'dingtalk:g', a.id, 'track-1');
    repo.saveCardRef('card:2', 'dingtalk', 'dingtalk:g', null, 'track-2');
    expect(cardPlaceOfMessage(repo, 'dingtalk', 'track-1')).toEqual({ chatId: 'dingtalk:g', itemId: a.id });
    expect(cardPlaceOfMessage(repo, 'dingtalk', 'track-2')).toEqual({ chatId: 'dingtalk:g', itemId: null });
    expect(cardPlaceOfMessage(repo, 'feishu', 'track-1')).toBeUndefined();
    expect(ping(db)).toBe(true);
    db.$client.close();
    expect(() => ping(db)).toThrow();
  });
});
