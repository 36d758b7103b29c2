// Minutes are confirmed within 24 hours of the meeting itself ("会后24小时内"), not of when they
// were posted; owners of decisions who were not in the meeting confirm them too.

import { describe, expect, it } from 'vitest';
import { A, B, C, Conversation } from './driver.ts';

const local = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
const minutesPlans = (c: Conversation) => c.pendingReminders().filter((r) => r.key.startsWith('c:1:pending:'));

describe('the minutes clock', () => {
  it('counts 24 hours from the meeting time the minutes give (会议时间：)', async () => {
    const c = new Conversation('2026-11-24T09:00:00+08:00'); // Tuesday, the morning after the meeting
    await c.say(A, '/纪要 接口联调周会\n会议时间：2026-11-23 14:00\n参会：@李四\n- 周五前完成联调 @李四 截止:周五');
    const m = c.repo.getItem(1)!;
    expect(m.kind).toBe('minutes');
    expect(local(m.data.time as number)).toBe('2026-11-23 14:00');
    expect(local(m.clockAt!)).toBe('2026-11-24 14:00');
    expect(c.card('会议纪要').card.fields).toContainEqual({ label: '确认时限', value: '2026-11-24 14:00 周二' });
    expect(minutesPlans(c).map((r) => [r.rule, local(r.fire_at)])).toEqual([
      ['headsup', '2026-11-24 10:00'],
      ['ping', '2026-11-24 14:00'],
    ]);
    expect((await c.at('2026-11-24T13:59:00+08:00')).join()).not.toContain('确认纪要时限');
    expect((await c.at('2026-11-24T14:00:30+08:00')).join()).toContain(`⏰ <@${B.id}> 会议纪要 #1「接口联调周会」 已超过确认纪要时限 2026-11-24 14:00 周二`);
  });

  it('the English key time: and 时间： mean the same; without a time the clock counts from posting', async () => {
    const withTime = new Conversation('2026-11-24T09:00:00+08:00');
    await withTime.say(A, '/minutes 周会\ntime:2026-11-23 16:30\nattendees:@李四');
    expect(local(withTime.repo.getItem(1)!.clockAt!)).toBe('2026-11-24 16:30');
    const without = new Conversation('2026-11-24T09:00:00+08:00');
    await without.say(A, '/纪要 周会\n参会：@李四');
    expect(local(without.repo.getItem(1)!.clockAt!)).toBe('2026-11-25 09:00');
  });

  it('an owner of a decision who did not attend must confirm too', async () => {
    const c = new Conversation('2026-11-24T09:00:00+08:00');
    await c.say(A, '/纪要 上线评审\n时间：今天 08:30\n参会：@张三 @李四\n- 周五前发布 @王五 截止:周五\n- 回归测试 @李四 截止:周四');
    const people = c.repo.people(1).map((p) => [p.userId, p.role]);
    expect(people).toEqual([
      [A.id, 'attendee'],
      [B.id, 'attendee'],
      [C.id, 'assignee'],
    ]);
    const card = c.card('会议纪要').card;
    expect(card.fields).toContainEqual({ label: '决议责任人（未参会）', value: `<@${C.id}>` });
    expect(card.markdown.join('\n')).toContain(`待确认：<@${A.id}> <@${B.id}> <@${C.id}>`);
    await c.click(A, c.card('会议纪要'), '确认纪要');
    await c.click(B, c.card('会议纪要'), '确认纪要');
    // Every attendee confirmed, but the decision owner has not: still waiting, and pinged alone.
    expect(c.state(1)).toBe('pending');
    // 08:30 is before working hours: the ping waits for the working morning.
    const ping = (await c.at('2026-11-25T09:40:00+08:00')).join('\n');
    expect(ping).toContain(`⏰ <@${C.id}> 会议纪要 #1「上线评审」 已超过确认纪要时限`);
    expect(ping).not.toContain(`<@${B.id}> 会议纪要`);
    const r = await c.click(C, c.card('会议纪要'), '确认纪要');
    expect(r.ok).toBe(true);
    expect(c.state(1)).toBe('confirmed');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
  });

  it('someone neither attending nor owning a decision cannot confirm', async () => {
    const c = new Conversation('2026-11-24T09:00:00+08:00');
    await c.say(A, '/纪要 周会\n参会：@李四\n- 联调 @李四 截止:周五');
    const r = await c.click(C, c.card('会议纪要'), '确认纪要');
    expect(r.ok).toBe(false);
    expect(c.repo.people(1).map((p) => p.userId)).toEqual([B.id]);
  });
});
