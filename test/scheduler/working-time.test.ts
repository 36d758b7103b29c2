// Response clocks in working time, driven through the real engine, scheduler and outbox.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, runMigrations } from '../../src/db/connection.ts';
import { testRuntime } from '../helpers/runtime.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { parseConfig } from '../../src/config/load.ts';
import { spreadMinutes } from '../../src/domain/reminders.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';

const sh = (local: string) => new Date(`${local}+08:00`).getTime();
const iso = (t: number) => new Date(t).toISOString();
const MORNING = `09:${String(spreadMinutes(CHAT)).padStart(2, '0')}`;

function reminderText(texts: string[]): string {
  return texts.filter((t) => t.includes('协作提醒')).join('\n');
}

describe('the hold-out: Friday 17:30 before the Qingming weekend (04-04..04-06 off)', () => {
  it('an ordinary question is not pinged as late before the next working day ends, and the heads-up counts working hours', async () => {
    const c = new Conversation('2026-04-03T17:30:00+08:00');
    await c.say(A, '/反馈 @李四 周一能给测试报告吗？');
    // 1wd is a whole working day: Friday is not counted (it had begun), Tuesday 04-07 is, to its end.
    expect(iso(c.repo.getItem(1)!.clockAt!)).toBe(iso(sh('2026-04-07T18:00:00')));
    const late: string[] = [];
    for (const t of ['2026-04-03T18:30', '2026-04-04T17:30', '2026-04-05T10:00', '2026-04-06T17:30', `2026-04-07T${MORNING}`, '2026-04-07T12:00', '2026-04-07T14:00', '2026-04-07T17:30', '2026-04-07T17:59']) {
      late.push(reminderText(await c.at(`${t}:00+08:00`)));
    }
    expect(late.join('\n')).not.toContain('已超过');
    // The heads-up came 4 working hours before the breach, on Tuesday at 14:00, and says so.
    const heads = c.db.$client.prepare(`select fire_at from reminders where rule = 'headsup'`).get() as { fire_at: number };
    expect(iso(heads.fire_at)).toBe(iso(sh('2026-04-07T14:00:00')));
    const warned = late.join('\n');
    expect(warned).toContain('还剩 4 个工作小时');
    expect(warned).toContain('2026-04-07 18:00 周二');
    const ping = reminderText(await c.at('2026-04-07T18:00:00+08:00'));
    expect(ping).toContain('已超过回复时限 2026-04-07 18:00 周二');
    // The next morning's ping counts lateness in working hours: 18:00 → 09:xx is xx minutes.
    const next = reminderText(await c.at(`2026-04-08T${MORNING}:00+08:00`));
    expect(next).toContain('已超过回复时限 2026-04-07 18:00 周二');
    expect(next).toContain(`已超时 ${spreadMinutes(CHAT)} 分钟（工作时间）`);
  });
});

describe('breach warnings', () => {
  it('land inside working hours for questions asked at any hour of a week', async () => {
    const c = new Conversation('2026-11-23T00:00:00+08:00');
    const cal = new WorkCalendar({ ...parseConfig({}).calendar });
    for (let h = 0; h < 24 * 7; h += 5) {
      c.clock.set(new Date(sh('2026-11-23T00:17:00') + h * 3_600_000));
      await c.say(A, `/反馈 @李四 问题 ${h}`);
    }
    const heads = c.db.$client.prepare(`select key, fire_at from reminders where rule = 'headsup'`).all() as Array<{ key: string; fire_at: number }>;
    expect(heads.length).toBeGreaterThan(20);
    const outside = heads.filter((r) => !cal.isWorkingTime(new Date(r.fire_at))).map((r) => `${r.key} ${iso(r.fire_at)}`);
    expect(outside).toEqual([]);
  });

  it('count in the clock’s own time and name the exact breach time: working hours and wall minutes', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00', { scheduler: { headsUp: { ordinary: '2h', urgent: '30m' } } });
    await c.say(A, '/反馈 @李四 接口文档？');
    await c.say(A, '/反馈 @王五 线上报错 紧急');
    const urgent = reminderText(await c.at('2026-11-23T11:30:00+08:00'));
    expect(urgent).toContain(`<@${C.id}>`);
    expect(urgent).toContain('还剩 30 分钟，请在 2026-11-23 12:00 周一 前回复');
    expect(urgent).not.toContain(`<@${B.id}>`);
    // The ordinary clock (1wd, asked after the day began) runs out at the end of Tuesday:
    // 2 working hours before is Tuesday 16:00.
    expect(reminderText(await c.at('2026-11-24T15:59:00+08:00'))).not.toContain(`<@${B.id}>`);
    const ordinary = reminderText(await c.at('2026-11-24T16:00:00+08:00'));
    expect(ordinary).toContain(`<@${B.id}>`);
    expect(ordinary).toContain('还剩 2 个工作小时，请在 2026-11-24 18:00 周二 前回复');
  });
});

describe('confirmation and acceptance clocks in working time', () => {
  it('a request raised at 06:00 is to be confirmed by 18:00 that day, not by 06:00 the next', async () => {
    const c = new Conversation('2026-11-23T06:00:00+08:00');
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月4日');
    expect(iso(c.repo.getItem(1)!.clockAt!)).toBe(iso(sh('2026-11-23T18:00:00')));
  });

  it('the older clocks.confirmWorkingDays still works: 2 means 2wd', async () => {
    const c = new Conversation('2026-11-27T10:00:00+08:00', { clocks: { confirmWorkingDays: 2 } });
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月4日');
    // Two whole working days after Friday 10:00: Monday and Tuesday, to Tuesday's end.
    expect(iso(c.repo.getItem(1)!.clockAt!)).toBe(iso(sh('2026-12-01T18:00:00')));
  });

  it('clocks.confirm in working hours skips the lunch break', async () => {
    const c = new Conversation('2026-11-23T11:00:00+08:00', { clocks: { confirm: '2wh' }, calendar: { lunch: '12:00-13:30' } });
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月4日');
    expect(iso(c.repo.getItem(1)!.clockAt!)).toBe(iso(sh('2026-11-23T14:30:00')));
  });
});

describe('start-up replan under the working-time rules', () => {
  it('moves the pending reminders planned under the old wall-time rules once, and never again', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gf-worktime-')), 'bot.db');
    const db = openDatabase(file);
    runMigrations(db);
    // Planned under the old rules: a 24 h wall clock, its heads-up 4 wall hours before.
    const old = new Conversation('2026-11-23T10:00:00+08:00', { clocks: { ordinary: '24h' } }, db);
    await old.say(A, '/反馈 @李四 版本号？');
    const before = old.pendingReminders();
    expect(before.map((r) => [r.rule, iso(r.fire_at)])).toEqual([
      ['headsup', iso(sh(`2026-11-24T${MORNING}:00`))],
      ['ping', iso(sh('2026-11-24T10:00:00'))],
    ]);
    db.$client.close();

    // Restarted with the new defaults: the clock runs on 1wd, so its heads-up counts working hours.
    const now = new Conversation('2026-11-23T10:30:00+08:00', {}, openDatabase(file));
    expect(now.scheduler.replanOnce()).toBe(1);
    const after = now.pendingReminders();
    // The breach time people were shown stays; the heads-up is 4 working hours before it.
    expect(after.map((r) => [r.key, r.rule, iso(r.fire_at)])).toEqual([
      [before[0]!.key, 'headsup', iso(sh('2026-11-23T15:00:00'))],
      [before[1]!.key, 'ping', iso(sh('2026-11-24T10:00:00'))],
    ]);
    expect(now.scheduler.replanOnce()).toBe(0);
    const again = new Conversation('2026-11-23T11:00:00+08:00', {}, openDatabase(file));
    expect(again.scheduler.replanOnce()).toBe(0);
    expect(again.pendingReminders()).toEqual(after);
    const heads = reminderText(await again.at('2026-11-23T15:00:00+08:00'));
    expect(heads).toContain('还剩 4 个工作小时');
  });

  it('runs at start-up: a new runtime has it done', async () => {
    const rt = await testRuntime();
    try {
      expect(rt.scheduler.replanOnce()).toBe(0);
    } finally {
      await rt.close();
    }
  });
});
