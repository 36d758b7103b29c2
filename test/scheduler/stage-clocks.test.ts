// Stage clocks of collaboration types through the real scheduler: they fire when the stage's
// time runs out, ping the owner (then the signer once completed), wait out quiet hours unless
// urgent, escalate, and stop once the stage is signed off.

import { describe, expect, it } from 'vitest';
import { A, B, C, Conversation } from '../engine/driver.ts';

const stagePlans = (c: Conversation) => c.pendingReminders().filter((r) => r.rule === 'stage');
const local = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('stage clocks', () => {
  it('fire at the end of the stage clock, repeat each working morning, escalate, and move with the stage', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00'); // Monday
    await c.say(A, '/需求 数据看板 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    await c.click(B, c.cardFor('【需求确认】', B), '确认对接'); // the confirmation clock is done
    expect(stagePlans(c).map((r) => [r.key.split(':').slice(0, 3).join(':'), local(r.fire_at)])).toEqual([['s:1:collect', '2026-11-24 10:00']]);
    expect((await c.at('2026-11-24T09:59:00+08:00')).join()).not.toContain('需求收集');
    const first = (await c.at('2026-11-24T10:00:30+08:00')).join();
    expect(first).toContain(`⏰ <@${A.id}> 需求 #1「数据看板」 已超过时限 2026-11-24 10:00 周二，请完成阶段「需求收集」`);
    // Ordinary stages repeat the next working morning, and escalate after scheduler.escalateAfter (2) pings.
    const [next] = stagePlans(c);
    expect(local(next!.fire_at)).toMatch(/^2026-11-25 09:(0\d|1\d|2\d)$/);
    expect((await c.at('2026-11-25T09:30:00+08:00')).join()).toContain('⏰');
    const third = (await c.at('2026-11-26T09:30:00+08:00')).join();
    expect(third).toContain(`🚨 升级：<@${A.id}>`);
    // Completed: the signer is the one waited on; signed off: the next stage's clock replaces it.
    await c.say(A, '/对接 #1 @王五 role:客户对接人');
    await c.say(A, '/完成 #1 客户需求清单');
    expect((await c.at('2026-11-27T09:30:00+08:00')).join()).toContain(`<@${C.id}> 需求 #1「数据看板」 未按时签核阶段「需求收集」`);
    await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
    const plans = stagePlans(c);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.key).toMatch(/^s:1:review:/);
    // 需求评审: 2 working days from Friday 09:30 is Tuesday 09:30 (the weekend does not count).
    expect(local(plans[0]!.fire_at)).toBe('2026-12-01 09:30');
    await c.say(A, '/取消 #1 reason:客户暂停');
    expect(stagePlans(c)).toEqual([]);
  });

  it('an ordinary stage clock that runs out at night or on a rest day waits for the next working morning', async () => {
    const c = new Conversation('2026-11-27T20:00:00+08:00'); // Friday evening
    await c.say(A, '/需求 数据看板 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    const [plan] = stagePlans(c);
    expect(c.repo.getItem(1)!.stageDueAt).toBe(new Date('2026-11-28T20:00:00+08:00').getTime()); // Saturday
    expect(local(plan!.fire_at)).toMatch(/^2026-11-30 09:\d\d$/); // Monday morning
    expect((await c.at('2026-11-28T20:01:00+08:00')).join()).not.toContain('需求收集');
    expect((await c.at('2026-11-30T09:30:00+08:00')).join()).toContain('请完成阶段「需求收集」');
  });

  it('紧急: the 1 h clock goes through quiet hours and escalates to the leader at the first missed ping', async () => {
    const c = new Conversation('2026-11-23T23:30:00+08:00');
    await c.say(A, '/需求 支付故障 to:@李四 类型:紧急 截止:2027-03-31');
    await c.say(A, '/对接 #1 @王五 role:负责人');
    const [plan] = stagePlans(c);
    expect(local(plan!.fire_at)).toBe('2026-11-24 00:30');
    const fired = await c.tick().then(() => c.at('2026-11-24T00:30:10+08:00'));
    const text = fired.join();
    expect(text).toContain('【紧急】⏰ 协作提醒');
    expect(text).toContain(`🚨 升级至负责人：<@${A.id}> 【紧急】需求 #1「支付故障」 未按时完成阶段「上报」`);
    expect(text).toContain(`自 2026-11-24 00:30 周二 起未处理，首次提醒即升级；请 <@${B.id}> 协调，负责人 <@${C.id}> 督办`);
    // Urgent repeats come every scheduler.urgentRepeat (2h), not the next morning.
    expect(local(stagePlans(c)[0]!.fire_at)).toBe('2026-11-24 02:30');
  });
});
