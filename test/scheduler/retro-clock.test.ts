// The retrospective clock: a request closed without a 复盘 owes one within clocks.retro (5 working
// days); the initiator is pinged when it runs out, each working morning after, and escalated to the
// side's main contact; recording /复盘 stops it.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { compliance } from '../../src/engine/sla.ts';
import { A, B, Conversation } from '../engine/driver.ts';

const local = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const retroPlans = (c: Conversation) => c.pendingReminders().filter((r) => r.key.startsWith('c:1:closed:'));

/** A request from A to B, delivered and accepted, closed at `closeAt`. */
async function closedRequest(closeAt: string, retroFirst = false): Promise<{ c: Conversation; closeReply: string }> {
  const c = new Conversation('2026-11-23T10:00:00+08:00'); // Monday
  await c.say(A, '/需求 联调 to:@李四 截止:2026-11-27');
  await c.click(B, c.cardFor('需求确认', B), '确认对接');
  await c.say(B, '/提交 #1 联调报告');
  await c.click(A, c.cardFor('成果验收', A), '验收通过');
  if (retroFirst) await c.say(A, '/复盘 #1 good:对接及时');
  c.clock.set(closeAt);
  const closeReply = c.texts(await c.say(A, '/关闭 #1')).join('\n');
  return { c, closeReply };
}

describe('the retrospective clock', () => {
  it('reminds the initiator 5 working days after the close, then each working morning, then escalates', async () => {
    // Closed Tuesday 11:00: five whole working days (Wed–Fri, Mon, Tue; the weekend does not
    // count), to the end of the next Tuesday.
    const { c, closeReply } = await closedRequest('2026-11-24T11:00:00+08:00');
    expect(c.state(1)).toBe('closed');
    expect(local(c.repo.getItem(1)!.clockAt!)).toBe('2026-12-01 18:00');
    expect(closeReply).toContain(`<@${A.id}> 请在 2026-12-01 18:00 周二 前发送 /复盘 #1`);
    // The heads-up comes scheduler.headsUp.ordinary (4h) of working time before: Tuesday 14:00.
    expect(retroPlans(c).map((r) => [r.rule, local(r.fire_at)])).toEqual([
      ['headsup', '2026-12-01 14:00'],
      ['ping', '2026-12-01 18:00'],
    ]);
    expect((await c.at('2026-12-01T14:00:30+08:00')).join()).toContain(`⏳ <@${A.id}> 需求 #1「联调」 还剩 4 个工作小时，请在 2026-12-01 18:00 周二 前复盘`);
    expect((await c.at('2026-12-01T17:59:00+08:00')).join()).not.toContain('复盘时限');
    const first = (await c.at('2026-12-01T18:00:30+08:00')).join('\n');
    expect(first).toContain(`⏰ <@${A.id}> 需求 #1「联调」 已超过复盘时限 2026-12-01 18:00 周二`);
    const [next] = retroPlans(c);
    expect(local(next!.fire_at)).toMatch(/^2026-12-02 09:\d\d$/);
    expect((await c.at('2026-12-02T09:40:00+08:00')).join()).toContain('已超过复盘时限');
    // scheduler.escalateAfter (2) missed pings: the third goes up to the side's main contact.
    const third = (await c.at('2026-12-03T09:40:00+08:00')).join('\n');
    expect(third).toContain(`🚨 升级：<@${A.id}> 未复盘 需求 #1「联调」`);
    expect(third).toContain(`已提醒 2 次，自 2026-12-01 18:00 周二 起；请 <@${B.id}> 协调`);
    // Recorded: nothing more is planned or sent.
    await c.say(A, '/复盘 #1 good:对接及时 bad:需求变更多 improve:评审前置');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    expect(retroPlans(c)).toEqual([]);
    expect((await c.at('2026-12-04T09:40:00+08:00')).join()).not.toContain('复盘');
  });

  it('does not remind once /复盘 is recorded before the clock runs out', async () => {
    const { c } = await closedRequest('2026-11-24T11:00:00+08:00');
    c.clock.set('2026-11-26T15:00:00+08:00');
    await c.say(B, '/复盘 #1 improve:评审前置');
    expect(retroPlans(c)).toEqual([]);
    for (const t of ['2026-12-01T18:01:00+08:00', '2026-12-02T09:40:00+08:00', '2026-12-03T09:40:00+08:00']) {
      expect((await c.at(t)).join()).not.toContain('复盘');
    }
  });

  it('starts no clock when the retrospective was written before the close', async () => {
    const { c, closeReply } = await closedRequest('2026-11-24T11:00:00+08:00', true);
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    expect(closeReply).not.toContain('/复盘');
    expect((await c.at('2026-12-01T18:01:00+08:00')).join()).not.toContain('复盘');
  });

  it('is not a response clock: SLA compliance does not count it', async () => {
    const { c } = await closedRequest('2026-11-24T11:00:00+08:00');
    await c.at('2026-12-08T10:00:00+08:00'); // long past the retro clock
    const cfg = parseConfig({ log: { level: 'silent' } });
    const table = compliance(c.repo, cfg, new WorkCalendar(cfg.calendar), new Date('2026-11-01T00:00:00+08:00'), c.clock.now(), c.clock.now());
    // The confirmation and the acceptance, both met; the retrospective is no response clock.
    expect([table.total.met, table.total.breached]).toEqual([2, 0]);
  });
});
