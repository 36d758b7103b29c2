// The monthly summary: on the last working day of each month (October 2026 ends on a Saturday, so
// Friday the 30th; February 2026 ends on Saturday the 28th, a 调休 working day) each group gets a
// card with the month's requests, SLA, open problems, next month's deadlines and the month's
// archive (部门-月份-主题) behind a signed link — once per group and month, across restarts.

import ExcelJS from 'exceljs';
import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import type { Card } from '../../src/domain/card.ts';
import { spreadMinutes } from '../../src/domain/reminders.ts';
import { exportLink, exportRoutes } from '../../src/export/routes.ts';
import { Scheduler } from '../../src/scheduler/scheduler.ts';
import { A, B, C, CHAT, Conversation, D } from '../engine/driver.ts';

const BASE = 'https://bot.example.com';
const cfg = parseConfig({ log: { level: 'silent' } });
const calendar = new WorkCalendar(cfg.calendar);
const local = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

/** A scheduler on the conversation's database that links archives as the runtime does. */
function schedulerOf(c: Conversation): Scheduler {
  return new Scheduler({
    repo: c.repo,
    config: cfg,
    clock: c.clock,
    calendar,
    log: pino({ level: 'silent' }),
    monthArchiveLink: (target, ttlMs) => exportLink({ db: c.db, clock: c.clock }, { ...target, format: 'xlsx' }, BASE, ttlMs),
  });
}

async function tickAt(c: Conversation, s: Scheduler, t: string): Promise<Card[]> {
  c.clock.set(t);
  const before = c.platform.sent.length;
  s.tick();
  await c.dispatcher.drain();
  return c.platform.sent.slice(before).flatMap((x) => (x.msg.body.type === 'card' ? [x.msg.body.card] : []));
}

const monthlyCards = (c: Conversation) => c.platform.sent.filter((x) => x.msg.body.type === 'card' && x.msg.body.card.header.title.startsWith('【月报】'));
const monthlyRows = (c: Conversation) =>
  c.db.$client.prepare(`select key, status, fire_at from reminders where key like 'mo:%' or key like 'monthly-plan:%' order by key`).all() as Array<{ key: string; status: string; fire_at: number }>;

/** October 2026 in the group 技术部 / 双十一大促. */
async function october(): Promise<Conversation> {
  const c = new Conversation('2026-10-12T10:00:00+08:00'); // Monday after the National Day holiday
  await c.say(A, '/设置 project:双十一大促 dept:技术部 负责人:@赵六');
  await c.say(A, '/需求 活动页面 to:@李四 截止:2026-10-23');
  await c.click(B, c.cardFor('需求确认', B), '确认对接'); // confirmed at once: met
  await c.say(B, '/提交 #1 页面已上线');
  await c.click(A, c.cardFor('成果验收', A), '验收通过');
  c.clock.set('2026-10-14T10:00:00+08:00');
  await c.say(A, '/关闭 #1');
  await c.say(A, '/复盘 #1 good:按期上线');
  await c.say(A, '/需求 库存保障 to:@王五 截止:2026-11-20');
  await c.say(A, '/问题 支付回调超时 sev:重要 @李四 截止:2026-11-05');
  // Confirmed two working days late: breached.
  c.clock.set('2026-10-16T15:00:00+08:00');
  await c.click(C, c.cardFor('需求确认', C), '确认对接');
  return c;
}

describe('the monthly summary', () => {
  it('fires on the last working day of a month ending on a rest day, at scheduler.monthly.at, with the month in it', async () => {
    const c = await october();
    const s = schedulerOf(c);
    expect(await tickAt(c, s, '2026-10-29T17:30:00+08:00')).toEqual([]);
    expect(monthlyRows(c)).toEqual([]);
    expect(await tickAt(c, s, '2026-10-30T16:59:00+08:00')).toEqual([]);
    expect(monthlyRows(c)).toEqual([]);
    await tickAt(c, s, '2026-10-30T17:00:00+08:00');
    const minute = String(spreadMinutes(CHAT)).padStart(2, '0');
    const planned = monthlyRows(c).find((r) => r.key === `mo:${CHAT}:2026-10`)!;
    expect(local(planned.fire_at)).toBe(`2026-10-30 17:${minute}`);
    const [card, ...more] = await tickAt(c, s, `2026-10-30T17:${minute}:00+08:00`);
    expect(more).toEqual([]);
    expect(card!.header.title).toBe('【月报】双十一大促 2026-10 协作月报');
    expect(card!.fields).toEqual([
      { label: '本月新建需求', value: '2' },
      { label: '本月关闭需求', value: '1' },
      // Met: #1's confirmation and acceptance. Breached: #2's late confirmation, #3 never answered.
      { label: 'SLA 按时 / 超时', value: '2 / 2' },
      { label: '未关闭问题', value: '1' },
      { label: '下月截止', value: '2' },
    ]);
    const md = card!.markdown.join('\n');
    expect(md).toContain('**需求** 本月新建 2 · 本月关闭 1');
    expect(md).toMatch(/\*\*本月关闭\*\*\n- #1\S* 活动页面【已关闭】/);
    expect(md).toContain('- 合计：按时 2 · 超时 2 · 达标率 50%');
    expect(md).toContain(`- #3 支付回调超时【重要】<@${B.id}> 已开 16 天，计划 2026-11-05 18:00 周四 前解决`);
    expect(md).toContain('**下月截止（2026-11）**');
    expect(md).toMatch(/- 2026-11-05 18:00 周四 #3 支付回调超时 <@sandbox:b>\n- 2026-11-20 18:00 周五 #2\S* 库存保障/);
    // Copied to the group's leader (抄送), who is mentioned for real.
    expect(md).toContain(`抄送：<@${D.id}>`);
    expect(card!.mentions).toContainEqual({ id: D.id, name: D.name });
    expect(md).toMatch(/\*\*本月归档\*\* 技术部-2026-10-双十一大促\.xlsx（链接 7 天内有效）\nhttps:\/\/bot\.example\.com\/files\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/m);
    // No rest-day repeat, no second card later that day or the next month's first days.
    for (const t of ['2026-10-30T18:30:00+08:00', '2026-10-31T17:30:00+08:00', '2026-11-02T17:30:00+08:00']) await tickAt(c, s, t);
    expect(monthlyCards(c)).toHaveLength(1);
  });

  it('is planned once per group and month: a restart later that day plans and sends nothing again', async () => {
    const c = await october();
    await tickAt(c, schedulerOf(c), '2026-10-30T17:00:00+08:00');
    await tickAt(c, schedulerOf(c), '2026-10-30T17:45:00+08:00'); // fires
    expect(monthlyCards(c)).toHaveLength(1);
    const restarted = schedulerOf(c);
    await tickAt(c, restarted, '2026-10-30T17:50:00+08:00');
    await tickAt(c, restarted, '2026-10-30T20:00:00+08:00');
    expect(monthlyCards(c)).toHaveLength(1);
    expect(monthlyRows(c).map((r) => [r.key, r.status])).toEqual([
      [`mo:${CHAT}:2026-10`, 'fired'],
      ['monthly-plan:2026-10', 'marker'],
    ]);
  });

  it('a restart before the summary fires still sends it (the planned row survives)', async () => {
    const c = await october();
    await tickAt(c, schedulerOf(c), '2026-10-30T17:00:00+08:00');
    expect(monthlyCards(c)).toHaveLength(0);
    await tickAt(c, schedulerOf(c), '2026-10-30T19:00:00+08:00');
    expect(monthlyCards(c)).toHaveLength(1);
  });

  it('its archive link downloads the month, signed, named 部门-月份-主题', async () => {
    const c = await october();
    const s = schedulerOf(c);
    await tickAt(c, s, '2026-10-30T17:00:00+08:00');
    const [card] = await tickAt(c, s, '2026-10-30T17:45:00+08:00');
    const url = card!.markdown.join('\n').match(/https:\/\/bot\.example\.com(\/files\/\S+)/)![1]!;
    // Something of November is not in October's archive.
    c.clock.set('2026-11-03T10:00:00+08:00');
    await c.say(A, '/需求 十二月活动 to:@李四 截止:2026-12-10');
    const app = Fastify();
    await app.register(exportRoutes({ db: c.db, clock: c.clock, log: pino({ level: 'silent' }), config: cfg, calendar }));
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    const cd = String(res.headers['content-disposition']);
    expect(cd).toMatch(/^attachment; filename="archive-2026-10\.xlsx"; filename\*=UTF-8''/);
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(cd)![1]!)).toBe('技术部-2026-10-双十一大促.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const titles: string[] = [];
    wb.getWorksheet('协作需求发起表')!.eachRow((row, i) => {
      if (i > 1) titles.push(String(row.getCell(3).value));
    });
    expect(titles).toEqual(['活动页面', '库存保障']);
    // Tampered: refused. Seven days later: expired.
    expect((await app.inject({ method: 'GET', url: url.slice(0, -3) + (url.endsWith('A') ? 'BBB' : 'AAA') })).statusCode).toBe(403);
    c.clock.set('2026-11-06T17:46:00+08:00');
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(410);
    await app.close();
  });

  it('February 2026 ends on Saturday the 28th, a 调休 working day: the summary goes out that day', async () => {
    const c = new Conversation('2026-02-24T10:00:00+08:00');
    await c.say(A, '/需求 春节复盘 to:@李四 截止:2026-03-06');
    const s = schedulerOf(c);
    await tickAt(c, s, '2026-02-27T17:30:00+08:00'); // Friday: not the last working day
    expect(monthlyRows(c)).toEqual([]);
    await tickAt(c, s, '2026-02-28T17:00:00+08:00');
    const minute = String(spreadMinutes(CHAT)).padStart(2, '0');
    expect(monthlyRows(c).map((r) => [r.key, local(r.fire_at)])).toEqual([
      [`mo:${CHAT}:2026-02`, `2026-02-28 17:${minute}`],
      ['monthly-plan:2026-02', '1970-01-01 08:00'],
    ]);
    const [card] = await tickAt(c, s, `2026-02-28T17:${minute}:00+08:00`);
    expect(card!.header.title).toContain('2026-02 协作月报');
    // Without a /设置 department the archive is 月份-主题 (the group's name stands for the project).
    expect(card!.markdown.join('\n')).toMatch(/\*\*本月归档\*\* 2026-02-\S+\.xlsx/);
  });

  it('scheduler.monthly.enabled: false sends none', async () => {
    const c = await october();
    const off = parseConfig({ log: { level: 'silent' }, scheduler: { monthly: { enabled: false } } });
    const s = new Scheduler({ repo: c.repo, config: off, clock: c.clock, calendar, log: pino({ level: 'silent' }) });
    c.clock.set('2026-10-30T17:00:00+08:00');
    s.tick();
    c.clock.set('2026-10-30T18:00:00+08:00');
    s.tick();
    expect(monthlyRows(c)).toEqual([]);
  });
});
