import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { spreadMinutes } from '../../src/domain/reminders.ts';
import { openDatabase, runMigrations } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';

const SPREAD = spreadMinutes(CHAT);
const pad = (n: number) => String(n).padStart(2, '0');
/** The spread morning time of the test chat, e.g. "09:07". */
const MORNING = `09:${pad(SPREAD)}`;
const sh = (local: string) => new Date(`${local}+08:00`).getTime();

function reminderText(texts: string[]): string {
  return texts.filter((t) => t.includes('协作提醒')).join('\n');
}

/** The wall-time ordinary clock ("24h"): deferred to working mornings, but counted in wall time. */
const WALL_24H = { clocks: { ordinary: '24h' } };

describe('wall-time response clocks on the working calendar', () => {
  it('a 24 h ask at Friday 17:00 is pinged Monday morning, not Saturday', async () => {
    const c = new Conversation('2026-11-27T17:00:00+08:00', WALL_24H);
    await c.say(A, '/反馈 @李四 接口文档什么时候给？');
    expect(new Date(c.repo.getItem(1)!.clockAt!).toISOString()).toBe(new Date(sh('2026-11-28T17:00:00')).toISOString());
    // Heads-up and ping both wait for Monday's working morning.
    expect(c.pendingReminders().map((r) => [r.rule, r.fire_at])).toEqual([
      ['headsup', sh(`2026-11-30T${MORNING}:00`)],
      ['ping', sh(`2026-11-30T${MORNING}:00`)],
    ]);
    expect(await c.at('2026-11-28T13:00:00+08:00')).toEqual([]);
    expect(await c.at('2026-11-28T17:00:00+08:00')).toEqual([]);
    expect(await c.at('2026-11-30T09:00:00+08:00')).toEqual([]);
    const monday = reminderText(await c.at(`2026-11-30T${MORNING}:00+08:00`));
    // One message, one line for the item: the ping (the more pressing of the two).
    expect(monday.match(/^- /gm)).toHaveLength(1);
    expect(monday).toContain(`<@${B.id}>`);
    expect(monday).toContain('已超过回复时限');
    expect(monday).not.toContain('【紧急】');
    // The next ping waits for the next working morning.
    expect(c.pendingReminders()).toEqual([{ key: expect.stringContaining(':ping:2'), rule: 'ping', fire_at: sh(`2026-12-01T${MORNING}:00`) }]);
  });

  it('an urgent ask at 23:00 goes through at night, marked 【紧急】, repeats every 2 h and escalates', async () => {
    const c = new Conversation('2026-11-23T23:00:00+08:00');
    await c.say(A, '/反馈 @李四 线上接口500了 紧急');
    expect(c.repo.getItem(1)!.urgent).toBe(true);
    const heads = reminderText(await c.at('2026-11-24T00:30:00+08:00'));
    expect(heads).toContain('【紧急】');
    expect(heads).toContain('⏳');
    const ping = reminderText(await c.at('2026-11-24T01:00:00+08:00'));
    expect(ping).toContain('已超过回复时限');
    expect(reminderText(await c.at('2026-11-24T02:59:00+08:00'))).toBe('');
    const second = reminderText(await c.at('2026-11-24T03:00:00+08:00'));
    expect(second).toContain('已超过回复时限');
    expect(second).not.toContain('升级');
    const third = reminderText(await c.at('2026-11-24T05:00:00+08:00'));
    expect(third).toContain('🚨 升级');
    expect(third).toContain(`<@${A.id}>`); // the initiator is brought in
  });

  it('a 调休 Saturday is a working day: the ping goes out on it', async () => {
    const c = new Conversation('2026-10-09T17:00:00+08:00');
    await c.say(A, '/反馈 @李四 测试环境账号？');
    const sat = reminderText(await c.at('2026-10-10T17:00:00+08:00'));
    expect(sat).toContain(`<@${B.id}>`);
  });

  it('the National Day week is skipped: a clock running out on Oct 1 is pinged on Oct 8', async () => {
    const c = new Conversation('2026-09-30T17:00:00+08:00', WALL_24H);
    await c.say(A, '/反馈 @李四 节前能合并吗？');
    for (const d of ['2026-10-01T17:00', '2026-10-03T10:00', '2026-10-07T10:00']) expect(await c.at(`${d}:00+08:00`)).toEqual([]);
    expect(reminderText(await c.at(`2026-10-08T${MORNING}:00+08:00`))).toContain('已超过回复时限');
  });

  it('quiet hours: an ordinary ping due at 22:30 waits for the next working morning', async () => {
    const c = new Conversation('2026-11-23T22:30:00+08:00', WALL_24H);
    await c.say(A, '/反馈 @李四 明早对一下？');
    const heads = reminderText(await c.at('2026-11-24T18:30:00+08:00')); // before 22:00: sent
    expect(heads).toContain('⏳');
    expect(await c.at('2026-11-24T22:30:00+08:00')).toEqual([]);
    expect(reminderText(await c.at(`2026-11-25T${MORNING}:00+08:00`))).toContain('已超过回复时限');
  });
});

describe('deadlines', () => {
  it('2 working days before across a weekend, the morning of the day, then daily while overdue', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/任务 写接口文档 @李四 截止:12月1日');
    expect(c.pendingReminders().map((r) => r.rule)).toEqual(['due-soon', 'due-today', 'overdue']);
    expect(await c.at('2026-11-26T09:30:00+08:00')).toEqual([]); // Thursday: too early
    const fri = reminderText(await c.at(`2026-11-27T${MORNING}:00+08:00`)); // Friday = 2 working days before Tuesday
    expect(fri).toContain('还剩 2 个工作日');
    expect(fri).toContain(`<@${B.id}>`);
    expect(reminderText(await c.at(`2026-12-01T${MORNING}:00+08:00`))).toContain('今天 18:00 截止');
    expect(reminderText(await c.at('2026-12-01T18:00:00+08:00'))).toContain('已逾期');
    expect(reminderText(await c.at(`2026-12-02T${MORNING}:00+08:00`))).toContain('第 2 次提醒');
  });

  it('17:00 nudge to owners of tasks in progress with no update that working day', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/任务 联调 @李四 截止:周五');
    await c.say(A, '/任务 压测 @王五 截止:周五');
    await c.say(B, '/进度 #1 30%');
    await c.say(C, '/进度 #2 10%');
    c.clock.set('2026-11-24T11:00:00+08:00');
    await c.say(B, '/进度 #1 60%'); // B updated on Tuesday, C did not
    const nudge = reminderText(await c.at('2026-11-24T17:00:00+08:00'));
    expect(nudge).toContain(`<@${C.id}>`);
    expect(nudge).not.toContain(`<@${B.id}>`);
    expect(reminderText(await c.at('2026-11-24T17:05:00+08:00'))).toBe(''); // once per day
  });
});

describe('cancellation, coalescing, restarts and races', () => {
  it('answering cancels the pending reminders; changing a due date re-plans them', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/反馈 @李四 版本号？');
    expect(c.pendingReminders()).toHaveLength(2);
    await c.say(B, '/回复 #1 v2.3.1');
    expect(c.pendingReminders()).toEqual([]);
    await c.say(A, '/任务 发版 @李四 截止:12月1日');
    const before = c.pendingReminders().map((r) => r.key);
    await c.say(A, '/改期 #2 12月4日 reason:等待测试');
    const after = c.pendingReminders().map((r) => r.key);
    expect(after.some((k) => before.includes(k))).toBe(false);
    expect(after).toHaveLength(3);
  });

  it('all reminders for one chat in one tick become one message', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/反馈 @李四 问题一');
    await c.say(A, '/反馈 @王五 问题二');
    await c.say(B, '/反馈 @张三 问题三');
    // All three clocks (1wd, asked after the day began) run out at the end of Tuesday.
    const sent = (await c.tick(), await c.at('2026-11-24T18:00:00+08:00'));
    const msgs = sent.filter((t) => t.includes('协作提醒'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.match(/^- /gm)).toHaveLength(3);
    expect(msgs[0]).toContain('（3 项）');
  });

  it('after downtime, missed reminders are sent once, coalesced; a restart never repeats them', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-sched-')), 'bot.db');
    const db1 = openDatabase(file);
    runMigrations(db1);
    const c1 = new Conversation('2026-11-23T10:00:00+08:00', {}, db1);
    await c1.say(A, '/反馈 @李四 问题一');
    await c1.say(A, '/任务 文档 @王五 截止:11月24日');
    db1.$client.close(); // the bot goes down on Monday and comes back on Wednesday afternoon

    const c2 = new Conversation('2026-11-25T15:00:00+08:00', {}, openDatabase(file));
    const back = (await c2.tick()).filter((s) => s.msg.body.type === 'text' && s.msg.body.text.includes('协作提醒'));
    expect(back).toHaveLength(1);
    const text = back[0]!.msg.body.type === 'text' ? back[0]!.msg.body.text : '';
    expect(text.match(/^- /gm)).toHaveLength(2); // one line per item, not one per missed rule
    expect(await c2.tick()).toEqual([]);

    const c3 = new Conversation('2026-11-25T15:00:30+08:00', {}, openDatabase(file)); // another restart
    expect(await c3.tick()).toEqual([]);
    const fired = c3.db.$client.prepare(`select key, count(*) as n from reminders where status = 'fired' group by key having n > 1`).all();
    expect(fired).toEqual([]);
  });

  it('two scheduler instances ticking at once fire each reminder once', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-race-')), 'bot.db');
    const db = openDatabase(file);
    runMigrations(db);
    const c = new Conversation('2026-11-23T10:00:00+08:00', {}, db);
    await c.say(A, '/反馈 @李四 问题一');
    await c.say(A, '/反馈 @王五 问题二');
    c.clock.set('2026-11-24T18:30:00+08:00');
    const cfg = parseConfig({ log: { level: 'silent' } });
    const other = new Scheduler({
      repo: new Repo(openDatabase(file)),
      config: cfg,
      clock: c.clock,
      calendar: new WorkCalendar({ ...cfg.calendar }),
      log: pino({ level: 'silent' }),
    });
    const [x, y] = await Promise.all([Promise.resolve().then(() => c.scheduler.tick()), Promise.resolve().then(() => other.tick())]);
    expect(x + y).toBeGreaterThan(0);
    const rows = db.$client.prepare(`select body from outbox where body like '%协作提醒%'`).all();
    expect(rows).toHaveLength(1);
  });
});

describe('weekly digest', () => {
  it('posts the /周报 card to each group with open items on Monday 09:30, spread off :00/:30, once', async () => {
    const c = new Conversation('2026-11-26T10:00:00+08:00'); // Thursday
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月4日');
    const digestCards = (sent: Awaited<ReturnType<Conversation['tick']>>) =>
      sent.filter((s) => s.msg.body.type === 'card' && s.msg.body.card.header.title.includes('【周报】'));
    c.clock.set('2026-11-30T09:29:00+08:00');
    expect(digestCards(await c.tick())).toEqual([]);
    expect(c.pendingReminders().filter((r) => r.rule === 'digest')).toEqual([]);
    c.clock.set('2026-11-30T09:30:00+08:00');
    c.scheduler.tick();
    const planned = c.pendingReminders().filter((r) => r.rule === 'digest');
    expect(planned).toHaveLength(1);
    const at = new Date(planned[0]!.fire_at);
    expect(at.getUTCMinutes() % 30).not.toBe(0);
    c.clock.set(at);
    const digest = digestCards(await c.tick());
    expect(digest).toHaveLength(1);
    c.clock.advance(3600_000);
    expect(digestCards(await c.tick())).toEqual([]);
    // Not again on Tuesday.
    c.clock.set('2026-12-01T10:00:00+08:00');
    expect(digestCards(await c.tick())).toEqual([]);
    expect(c.pendingReminders().filter((r) => r.rule === 'digest')).toEqual([]);
  });
});

describe('milestones', () => {
  it("a task's stage result is due 1 day before its request's deadline: the owner is reminded that morning", async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月3日');
    await c.say(A, '/任务 #1 登录接口 @李四 截止:12月5日');
    expect(c.pendingReminders().filter((r) => r.rule === 'milestone').map((r) => r.fire_at)).toEqual([sh(`2026-12-02T${MORNING}:00`)]);
    // Moving the request's deadline moves the task's milestone reminder.
    await c.say(A, '/改期 #1 12月4日 reason:客户要求');
    expect(c.pendingReminders().filter((r) => r.rule === 'milestone').map((r) => r.fire_at)).toEqual([sh(`2026-12-03T${MORNING}:00`)]);
    const text = reminderText(await c.at(`2026-12-03T${MORNING}:00+08:00`));
    expect(text).toContain('🏁');
    expect(text).toContain(`<@${B.id}>`);
    expect(text).toContain('里程碑');
  });
});
