// The escalation chain through the real scheduler and fake time: the owner is pinged, then the
// initiator and the side's 总对接人 are brought in, then the leader — for missed deadlines and
// missed response clocks alike; a request's own leader overrides the group's; with no leader
// the line says how to name one.

import { describe, expect, it } from 'vitest';
import { spreadMinutes } from '../../src/domain/reminders.ts';
import { A, B, C, CHAT, Conversation, D } from '../engine/driver.ts';

const MORNING = `09:${String(spreadMinutes(CHAT)).padStart(2, '0')}`;
const mention = (u: { id: string }) => `<@${u.id}>`;

/** The reminder line about item `#id` among what fired (undefined when none). */
async function lineAbout(c: Conversation, at: string, id: number): Promise<string | undefined> {
  const texts = await c.at(at);
  return texts
    .filter((t) => t.includes('协作提醒'))
    .flatMap((t) => t.split('\n'))
    .find((l) => l.includes(`#${id}「`));
}

/** A request by 张三 with 王五 as 总对接人, confirmed, and a task of it owned by 李四 due Tuesday. */
async function requestWithTask(c: Conversation, req = '/需求 接口联调 to:@王五 截止:12月18日'): Promise<void> {
  await c.say(A, req);
  await c.click(C, c.cardFor('【需求确认】', C), '确认对接');
  await c.say(A, '/任务 #1 写接口文档 @李四 截止:11月24日');
  expect(c.repo.getItem(2)!.ownerId).toBe(B.id);
}

describe('escalation chain', () => {
  it('a missed deadline: owner, owner, then initiator + 总对接人, then the leader', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00'); // Monday
    await c.say(A, '/设置 负责人:@赵六');
    await requestWithTask(c);

    const first = await lineAbout(c, '2026-11-24T18:00:30+08:00', 2);
    expect(first).toContain(`🔴 ${mention(B)} 任务 #2「写接口文档」 已逾期（截止 2026-11-24 18:00 周二）`);
    const second = await lineAbout(c, `2026-11-25T${MORNING}:00+08:00`, 2);
    expect(second).toContain('第 2 次提醒');
    for (const line of [first, second]) for (const u of [A, C, D]) expect(line).not.toContain(mention(u));

    // scheduler.escalateAfter (2) missed: the initiator and the side's 总对接人 are brought in.
    const third = await lineAbout(c, `2026-11-26T${MORNING}:00+08:00`, 2);
    expect(third).toBe(
      `- 🚨 升级：${mention(B)} 任务 #2「写接口文档」 已逾期（截止 2026-11-24 18:00 周二），已提醒 2 次，自 2026-11-24 18:00 周二 起；请 ${mention(A)} ${mention(C)} 协调`,
    );
    expect(third).not.toContain(mention(D));
    const fourth = await lineAbout(c, `2026-11-27T${MORNING}:00+08:00`, 2);
    expect(fourth).toContain('已提醒 3 次');
    expect(fourth).not.toContain(mention(D));

    // scheduler.leaderAfter (2) more: the leader, on the next working morning (Monday).
    expect(await lineAbout(c, `2026-11-28T${MORNING}:00+08:00`, 2)).toBeUndefined();
    const fifth = await lineAbout(c, `2026-11-30T${MORNING}:00+08:00`, 2);
    expect(fifth).toBe(
      `- 🚨 升级至负责人：${mention(B)} 任务 #2「写接口文档」 已逾期（截止 2026-11-24 18:00 周二），已提醒 4 次，自 2026-11-24 18:00 周二 起；请 ${mention(A)} ${mention(C)} 协调，负责人 ${mention(D)} 督办`,
    );
  });

  it('a missed response clock climbs the same chain', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/设置 负责人:@赵六');
    await c.say(A, '/反馈 @李四 线上接口500了 紧急'); // 2 h clock, urgent pings repeat every 2 h
    const at = (hhmm: string) => lineAbout(c, `2026-11-23T${hhmm}:00+08:00`, 1);
    const ping1 = await at('12:00');
    expect(ping1).toContain(`⏰ ${mention(B)}`);
    expect(ping1).not.toContain(mention(A));
    expect(await at('14:00')).not.toContain('升级');
    const step1 = await at('16:00');
    expect(step1).toContain(`🚨 升级：${mention(B)} 未回复`);
    expect(step1).toContain(`已提醒 2 次，自 2026-11-23 12:00 周一 起；请 ${mention(A)} 协调`);
    expect(step1).not.toContain(mention(D));
    expect(await at('18:00')).not.toContain(mention(D));
    const step2 = await at('20:00');
    expect(step2).toContain(`🚨 升级至负责人：${mention(B)} 未回复`);
    expect(step2).toContain(`已提醒 4 次，自 2026-11-23 12:00 周一 起；请 ${mention(A)} 协调，负责人 ${mention(D)} 督办`);
  });

  it("the request's own leader overrides the group's; both steps follow the configured counts", async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00', { scheduler: { escalateAfter: 1, leaderAfter: 1 } });
    await c.say(A, '/设置 负责人:@赵六');
    const said = c.texts(await c.say(A, '/需求 接口联调 to:@王五 截止:12月18日 负责人:@李四')).join();
    expect(said).toContain(`本需求负责人：${mention(B)}`);
    await c.click(C, c.cardFor('【需求确认】', C), '确认对接');
    await c.say(A, '/任务 #1 联调测试 @王五 截止:11月24日');

    expect(await lineAbout(c, '2026-11-24T18:00:30+08:00', 2)).toContain('🔴');
    const step1 = await lineAbout(c, `2026-11-25T${MORNING}:00+08:00`, 2); // after 1 missed
    expect(step1).toContain(`🚨 升级：${mention(C)}`);
    expect(step1).toContain(`请 ${mention(A)} 协调`);
    const step2 = await lineAbout(c, `2026-11-26T${MORNING}:00+08:00`, 2); // after 1 more
    expect(step2).toContain(`负责人 ${mention(B)} 督办`);
    expect(step2).not.toContain(mention(D));
  });

  it('no leader set: the escalation stops at the initiator and 总对接人 and says how to name one', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00', { scheduler: { escalateAfter: 1, leaderAfter: 1 } });
    await requestWithTask(c);
    await lineAbout(c, '2026-11-24T18:00:30+08:00', 2);
    expect(await lineAbout(c, `2026-11-25T${MORNING}:00+08:00`, 2)).not.toContain('负责人');
    const step2 = await lineAbout(c, `2026-11-26T${MORNING}:00+08:00`, 2);
    expect(step2).toBe(
      `- 🚨 升级：${mention(B)} 任务 #2「写接口文档」 已逾期（截止 2026-11-24 18:00 周二），已提醒 2 次，自 2026-11-24 18:00 周二 起；请 ${mention(A)} ${mention(C)} 协调；未设负责人，无法再升级（发送 /设置 负责人:@某人 设置）`,
    );
  });
});
