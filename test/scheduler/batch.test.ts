// The tick's batched paths: claiming due reminders in one statement (each fires once even when
// several processes tick at the same moment), nudge planning spread over ticks a few chats at a
// time (everything planned, nothing twice, one message per chat), and digest planning by group.

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { type Db, openDatabase, openTestDatabase, runMigrations } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';

const sh = (local: string) => new Date(`${local}+08:00`);
const cfg = parseConfig({ log: { level: 'silent' } });

/** Databases on files opened by a test, closed (their checkpoint workers stopped) and removed after it. */
const opened: Array<{ db: Db; dir: string }> = [];
function openFile(prefix: string): { file: string; open: () => Db } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'bot.db');
  return {
    file,
    open: () => {
      const db = openDatabase(file);
      opened.push({ db, dir });
      return db;
    },
  };
}
afterEach(() => {
  for (const { db, dir } of opened.splice(0)) {
    if (db.sqlite!.open) db.sqlite!.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function scheduler(db: Db, clock: FakeClock, planChunk?: number) {
  return new Scheduler({ repo: new Repo(db), config: cfg, clock, calendar: new WorkCalendar({ ...cfg.calendar }), log: pino({ level: 'silent' }), planChunk });
}

function outboxTexts(db: Db): Array<{ chatId: string; text: string }> {
  return (db.$client.prepare(`select chat_id as chatId, body from outbox order by id`).all() as Array<{ chatId: string; body: string }>).map((r) => ({
    chatId: r.chatId,
    text: (JSON.parse(r.body) as { text?: string }).text ?? '',
  }));
}

/** Item ids named in reminder lines ("#12"), one entry per line. */
function itemsInLines(text: string): number[] {
  return [...text.matchAll(/^- .*?#(\d+)/gm)].map((m) => Number(m[1]));
}

describe('claiming due reminders', () => {
  it('three processes ticking at once with small batches fire each due reminder exactly once', async () => {
    const { file, open } = openFile('gf-claim-');
    const db = open();
    runMigrations(db);
    const repo = new Repo(db);
    const now = sh('2026-11-24T10:30:00');
    const clockAt = sh('2026-11-24T10:00:00').getTime();
    const DUE = 150;
    repo.tx(() => {
      for (let k = 0; k < DUE; k++) {
        const chatId = `sandbox:g${k % 12}`;
        const item = repo.insertItem({ kind: 'ask', platform: 'sandbox', chatId, title: `问题${k}`, state: 'waiting', initiatorId: 'sandbox:a', clockAt, createdAt: clockAt - 86_400_000 });
        repo.addPerson(item.id, `sandbox:u${k % 7}`, 'asked', clockAt);
        repo
          .statement(
            `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at) values (?, ?, 'sandbox', ?, 'ping', 1, ?, 0, 'pending', 0)`,
          )
          .run(`c:${item.id}:waiting:${clockAt}:ping:1`, item.id, chatId, clockAt);
      }
    });
    const worker = new URL('./support/tick-worker.ts', import.meta.url).pathname;
    const children: ChildProcess[] = [];
    const ready: Array<Promise<void>> = [];
    const done: Array<Promise<number>> = [];
    for (let i = 0; i < 3; i++) {
      const child = fork(worker, [file, now.toISOString(), '5'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      children.push(child);
      ready.push(new Promise((resolve) => child.on('message', (m: { type: string }) => m.type === 'ready' && resolve())));
      done.push(new Promise((resolve) => child.on('message', (m: { type: string; fired: number }) => m.type === 'done' && resolve(m.fired))));
    }
    await Promise.all(ready);
    const at = Date.now() + 300;
    for (const c of children) c.send({ at });
    const fired = await Promise.all(done);

    expect(fired.reduce((a, b) => a + b, 0)).toBe(DUE);
    expect(fired.filter((n) => n > 0).length).toBeGreaterThan(1); // the batches did interleave
    const rows = db.$client.prepare(`select status, count(*) as n from reminders where key like '%:ping:1' group by status`).all();
    expect(rows).toEqual([{ status: 'fired', n: DUE }]);
    // Each item is named in exactly one line of one message; its follow-up is planned once.
    const named = outboxTexts(db).flatMap((m) => itemsInLines(m.text));
    expect(named.length).toBe(DUE);
    expect(new Set(named).size).toBe(DUE);
    const next = db.$client.prepare(`select count(*) as n from reminders where key like '%:ping:2' and status = 'pending'`).get() as { n: number };
    expect(next.n).toBe(DUE);
  }, 60_000);

  it('one tick of 250 due reminders plans each follow-up once (multi-row inserts of 100), also when two rounds of one item fire together', () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    const clock = new FakeClock(sh('2026-11-24T10:30:00'));
    const clockAt = sh('2026-11-24T10:00:00').getTime();
    const remind = repo.statement(
      `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at) values (?, ?, 'sandbox', ?, 'ping', ?, ?, 0, 'pending', 0)`,
    );
    const ids = repo.tx(() =>
      Array.from({ length: 250 }, (_, k) => {
        const chatId = `sandbox:g${k % 9}`;
        const item = repo.insertItem({ kind: 'ask', platform: 'sandbox', chatId, title: `问题${k}`, state: 'waiting', initiatorId: 'sandbox:a', clockAt });
        repo.addPerson(item.id, `sandbox:u${k % 5}`, 'asked', clockAt);
        remind.run(`c:${item.id}:waiting:${clockAt}:ping:1`, item.id, chatId, 1, clockAt);
        return item.id;
      }),
    );
    // Missed while the bot was down: the first item's round 2 is due as well (its follow-up is round 3).
    remind.run(`c:${ids[0]}:waiting:${clockAt}:ping:2`, ids[0], 'sandbox:g0', 2, clockAt + 60_000);
    expect(scheduler(db, clock).tick()).toBe(251);
    const pending = db.$client.prepare(`select key from reminders where status = 'pending' order by key`).pluck().all() as string[];
    expect(new Set(pending).size).toBe(pending.length);
    expect(pending.filter((k) => k.endsWith(':ping:2'))).toHaveLength(249);
    expect(pending.filter((k) => k.startsWith(`c:${ids[0]}:`))).toEqual([`c:${ids[0]}:waiting:${clockAt}:ping:3`]);
    // Each item is named once, in its chat's one message.
    const named = outboxTexts(db).flatMap((m) => itemsInLines(m.text));
    expect(named.sort((a, b) => a - b)).toEqual(ids);
    expect(outboxTexts(db)).toHaveLength(9);
  });

  it("the batch read keeps each item's people in the order they were added (the first contact is the main one)", () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    const clock = new FakeClock(sh('2026-11-24T10:30:00'));
    const clockAt = sh('2026-11-24T10:00:00').getTime();
    repo.tx(() => {
      const item = repo.insertItem({ kind: 'request', platform: 'sandbox', chatId: 'sandbox:g1', title: '接口联调', state: 'pending', initiatorId: 'sandbox:a', clockAt });
      // Added in this order; their ids sort the other way.
      for (const u of ['sandbox:u9', 'sandbox:u5', 'sandbox:u1']) repo.addPerson(item.id, u, 'contact', clockAt);
      repo
        .statement(
          `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at) values (?, ?, 'sandbox', 'sandbox:g1', 'ping', 1, ?, 0, 'pending', 0)`,
        )
        .run(`c:${item.id}:pending:${clockAt}:ping:1`, item.id, clockAt);
    });
    expect(scheduler(db, clock).tick()).toBe(1);
    const [msg] = outboxTexts(db);
    expect(msg!.text).toContain('<@sandbox:u9> <@sandbox:u5> <@sandbox:u1>');
  });

  it('a reminder whose item changed is cancelled in the batch, the others still fire', () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    const clock = new FakeClock(sh('2026-11-24T10:30:00'));
    const clockAt = sh('2026-11-24T10:00:00').getTime();
    const ids = repo.tx(() =>
      [0, 1, 2].map((k) => {
        const item = repo.insertItem({ kind: 'ask', platform: 'sandbox', chatId: 'sandbox:g1', title: `问题${k}`, state: k === 1 ? 'answered' : 'waiting', initiatorId: 'sandbox:a', clockAt });
        repo.addPerson(item.id, 'sandbox:b', 'asked', clockAt);
        repo
          .statement(
            `insert into reminders (key, item_id, platform, chat_id, rule, round, fire_at, urgent, status, created_at) values (?, ?, 'sandbox', 'sandbox:g1', 'ping', 1, ?, 0, 'pending', 0)`,
          )
          .run(`c:${item.id}:waiting:${clockAt}:ping:1`, item.id, clockAt);
        return item.id;
      }),
    );
    expect(scheduler(db, clock).tick()).toBe(3);
    const status = db.$client.prepare(`select item_id as id, status from reminders where key like '%:ping:1' order by item_id`).all();
    expect(status).toEqual([
      { id: ids[0], status: 'fired' },
      { id: ids[1], status: 'cancelled' },
      { id: ids[2], status: 'fired' },
    ]);
    const msgs = outboxTexts(db);
    expect(msgs).toHaveLength(1);
    expect(itemsInLines(msgs[0]!.text)).toEqual([ids[0], ids[2]]);
  });
});

describe('re-planning by key prefix', () => {
  it("re-planning item 1 cancels its reminders and never item 12's (keys c:1: and c:12:)", () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    const clock = new FakeClock(sh('2026-11-24T10:00:00'));
    const s = scheduler(db, clock);
    const clockAt = sh('2026-11-25T10:00:00').getTime();
    repo.tx(() => {
      for (let k = 1; k <= 12; k++) {
        const item = repo.insertItem({ kind: 'ask', platform: 'sandbox', chatId: 'sandbox:g1', title: `问题${k}`, state: 'waiting', initiatorId: 'sandbox:a', clockAt });
        s.replan(item.id);
      }
    });
    const pending = () =>
      (db.$client.prepare(`select item_id as id, count(*) as n from reminders where status = 'pending' group by item_id`).all() as Array<{ id: number; n: number }>).map(
        (r) => `${r.id}:${r.n}`,
      );
    expect(pending()).toEqual(Array.from({ length: 12 }, (_, k) => `${k + 1}:2`));
    const one = repo.getItem(1)!;
    repo.tx(() => {
      repo.updateItem(1, one.version, { state: 'answered' }, clock.now().getTime());
      s.replan(1);
    });
    expect(pending()).toEqual(Array.from({ length: 11 }, (_, k) => `${k + 2}:2`));
  });
});

describe('nudge planning spread over ticks', () => {
  /** `chats` groups with `perChat` tasks in progress, none updated today. */
  function tasks(db: Db, chats: number, perChat: number) {
    const repo = new Repo(db);
    const yesterday = sh('2026-11-23T10:00:00').getTime();
    repo.tx(() => {
      for (let c = 0; c < chats; c++)
        for (let k = 0; k < perChat; k++)
          repo.insertItem({ kind: 'task', platform: 'sandbox', chatId: `sandbox:g${c}`, title: `任务${c}-${k}`, state: 'doing', initiatorId: 'sandbox:a', ownerId: `sandbox:o${c}-${k}`, createdAt: yesterday, updatedAt: yesterday });
      // Updated today: no nudge.
      const fresh = repo.insertItem({ kind: 'task', platform: 'sandbox', chatId: 'sandbox:g0', title: '已更新', state: 'doing', initiatorId: 'sandbox:a', ownerId: 'sandbox:fresh', createdAt: yesterday });
      repo.updateItem(fresh.id, fresh.version, { data: { lastUpdateAt: sh('2026-11-24T11:00:00').getTime() } }, sh('2026-11-24T11:00:00').getTime());
    });
  }

  it('plans a few chats per tick until all are planned: one message per chat, each task once', () => {
    const db = openTestDatabase();
    tasks(db, 5, 3);
    const clock = new FakeClock(sh('2026-11-24T16:59:00'));
    const s = scheduler(db, clock, 4); // at most 4 nudges per tick: whole chats, so 2 chats (6) per tick
    expect(s.tick()).toBe(0);
    const perTick: number[] = [];
    for (let m = 0; m < 6; m++) {
      clock.set(new Date(sh('2026-11-24T17:00:00').getTime() + m * 60_000));
      perTick.push(s.tick());
    }
    expect(perTick).toEqual([6, 6, 3, 0, 0, 0]);
    const msgs = outboxTexts(db);
    expect(msgs.map((m) => m.chatId).sort()).toEqual(['sandbox:g0', 'sandbox:g1', 'sandbox:g2', 'sandbox:g3', 'sandbox:g4']);
    for (const m of msgs) expect(m.text.match(/^- 📝/gm)).toHaveLength(3);
    expect(msgs.some((m) => m.text.includes('sandbox:fresh'))).toBe(false);
    const nudges = db.$client.prepare(`select count(*) as n, count(distinct key) as keys from reminders where rule = 'nudge' and status = 'fired'`).get();
    expect(nudges).toEqual({ n: 15, keys: 15 });
    // The next day plans again (g0 first: its 3 tasks and the one updated only yesterday).
    clock.set(sh('2026-11-25T17:00:00'));
    expect(s.tick()).toBe(4);
  });

  it('a restart or a second instance carries on where planning got to, without planning twice', () => {
    const { open } = openFile('gf-nudge-');
    const db = open();
    runMigrations(db);
    tasks(db, 4, 2);
    const clock = new FakeClock(sh('2026-11-24T17:00:00'));
    expect(scheduler(db, clock, 2).tick()).toBe(2); // chat g0
    clock.advance(60_000);
    expect(scheduler(open(), clock, 2).tick()).toBe(2); // a restarted process: g1
    const a = scheduler(db, clock, 2);
    const b = scheduler(open(), clock, 2);
    clock.advance(60_000);
    expect(a.tick() + b.tick()).toBe(4); // g2 and g3, one each
    clock.advance(60_000);
    expect(a.tick() + b.tick()).toBe(0);
    const keys = db.$client.prepare(`select key from reminders where rule = 'nudge' and status = 'fired'`).all() as Array<{ key: string }>;
    expect(keys).toHaveLength(8);
    expect(new Set(keys.map((k) => k.key)).size).toBe(8);
    expect(outboxTexts(db).map((m) => m.chatId).sort()).toEqual(['sandbox:g0', 'sandbox:g1', 'sandbox:g2', 'sandbox:g3']);
  });
});

describe('digest planning', () => {
  it('plans one digest per group with open items, none for a group whose items are all closed', () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    repo.tx(() => {
      repo.insertItem({ kind: 'task', platform: 'sandbox', chatId: 'sandbox:a', title: 't', state: 'doing', initiatorId: 'sandbox:x' });
      repo.insertItem({ kind: 'task', platform: 'sandbox', chatId: 'sandbox:b', title: 't', state: 'done', initiatorId: 'sandbox:x' });
      repo.insertItem({ kind: 'ask', platform: 'sandbox', chatId: 'sandbox:b', title: 'q', state: 'answered', initiatorId: 'sandbox:x' });
      repo.insertItem({ kind: 'ask', platform: 'feishu', chatId: 'feishu:c', title: 'q', state: 'answered', initiatorId: 'sandbox:x' });
      repo.insertItem({ kind: 'issue', platform: 'feishu', chatId: 'feishu:c', title: 'p', state: 'open', initiatorId: 'sandbox:x' });
    });
    const s = scheduler(db, new FakeClock(sh('2026-11-30T09:30:00')));
    s.tick();
    const planned = db.$client.prepare(`select platform, chat_id as chatId from reminders where rule = 'digest' order by chat_id`).all();
    expect(planned).toEqual([
      { platform: 'feishu', chatId: 'feishu:c' },
      { platform: 'sandbox', chatId: 'sandbox:a' },
    ]);
    s.tick();
    expect(db.$client.prepare(`select count(*) as n from reminders where rule = 'digest'`).get()).toEqual({ n: 2 });
  });
});
