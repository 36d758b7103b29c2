// Leaders (负责人) through the engine: `/设置 负责人:` names the group's and `/设置` shows it; a
// request names its own with `负责人:` or `/对接 role:负责人` (one role, one holder); leaderOf
// prefers the request's; minutes copy the leader; a 紧急 stage the leader signs falls to the
// group's leader when the request names none.

import { describe, expect, it } from 'vitest';
import { leaderOf } from '../../src/engine/leaders.ts';
import { A, B, C, CHAT, Conversation, D } from './driver.ts';

const mention = (u: { id: string }) => `<@${u.id}>`;
const said = async (c: Conversation, who: typeof A, text: string) => c.texts(await c.say(who, text)).join('\n');

describe('/设置 负责人', () => {
  it('names the group leader, says the chain, and /设置 alone shows it without pinging the leader', async () => {
    const c = new Conversation();
    const none = await said(c, A, '/设置');
    expect(none).toContain('未绑定项目');
    expect(none).toContain('未设负责人：超时升级只到发起人和总对接人（发送 /设置 负责人:@某人 指定）');

    const set = await said(c, A, '/设置 负责人:@赵六');
    expect(set).toContain(`✅ 本群负责人：${mention(D)}。`);
    expect(set).toContain('第 3 次提醒起升级到发起人和总对接人，第 5 次提醒起升级到负责人');
    expect(c.repo.getChat(CHAT)?.leaderId).toBe(D.id);

    const replaced = await said(c, A, '/setup lead:@王五');
    expect(replaced).toContain(`本群负责人：${mention(C)}（原负责人 ${mention(D)}）`);

    await c.say(A, '/设置 project:官网改版 dept:技术部');
    expect(c.repo.getChat(CHAT)?.leaderId).toBe(C.id); // binding the project keeps the leader
    const shown = await said(c, B, '/设置');
    expect(shown).toContain('项目「官网改版」，部门「技术部」；负责人 王五。');
    expect(shown).not.toContain('<@');
  });

  it('the chain in the reply follows the configured counts', async () => {
    const c = new Conversation(undefined, { scheduler: { escalateAfter: 1, leaderAfter: 3 } });
    expect(await said(c, A, '/设置 负责人:@赵六')).toContain('第 2 次提醒起升级到发起人和总对接人，第 5 次提醒起升级到负责人');
  });
});

describe('request leaders', () => {
  it("a request's 负责人 overrides the group's; /对接 role:负责人 is the same role and replaces it", async () => {
    const c = new Conversation();
    await c.say(A, '/设置 负责人:@赵六');
    await c.say(A, '/需求 接口联调 to:@李四 截止:12月18日');
    await c.say(A, '/需求 支付升级 to:@李四 截止:12月18日 负责人:@王五');
    expect(leaderOf(c.repo, CHAT)).toBe(D.id);
    expect(leaderOf(c.repo, CHAT, 1)).toBe(D.id); // no leader of its own: the group's
    expect(leaderOf(c.repo, CHAT, c.repo.getItem(2)!)).toBe(C.id);

    const changed = await said(c, A, '/对接 #2 @张三 role:负责人');
    expect(changed).toContain('指定负责人');
    expect(leaderOf(c.repo, CHAT, 2)).toBe(A.id);
    expect(c.repo.people(2).filter((p) => p.role === 'role:leader').map((p) => p.userId)).toEqual([A.id]);
  });

  it('no leader anywhere: leaderOf says so', () => {
    const c = new Conversation();
    c.repo.ensureChat(CHAT, 'sandbox', '项目群');
    expect(leaderOf(c.repo, CHAT)).toBeUndefined();
  });
});

describe('minutes copy the leader', () => {
  it('the minutes card has 抄送 负责人 with a mention; without a leader there is no such field', async () => {
    const c = new Conversation();
    await c.say(A, '/纪要 周会\n参会：@李四\n- 完成登录接口 @李四 截止:周五');
    expect(c.card('会议纪要').card.fields.map((f) => f.label)).not.toContain('抄送');
    await c.say(A, '/设置 负责人:@赵六');
    await c.say(A, '/纪要 复盘会\n参会：@李四\n- 补充压测报告 @李四 截止:周五');
    const { card } = c.card('复盘会');
    expect(card.fields).toContainEqual({ label: '抄送', value: `负责人 ${mention(D)}` });
    const sent = c.platform.sent.filter((s) => s.msg.body.type === 'card' && s.msg.body.card.header.title.includes('复盘会')).at(-1)!;
    expect(sent.msg.body.type === 'card' && sent.msg.body.card.mentions.map((m) => m.id)).toContain(D.id);
  });
});

describe('stages the leader signs', () => {
  it("紧急: with no 负责人 on the request the group's leader signs, and the first missed ping reaches them", async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/设置 负责人:@赵六');
    await c.say(A, '/需求 支付故障 to:@李四 类型:紧急 截止:明天');
    const fired = (await c.at('2026-11-23T11:00:30+08:00')).join('\n');
    expect(fired).toContain(`🚨 升级至负责人：${mention(A)} 【紧急】需求 #1「支付故障」 未按时完成阶段「上报」`);
    expect(fired).toContain(`负责人 ${mention(D)} 督办`);
    await c.say(A, '/完成 #1 紧急事项上报 事项描述：支付回调失败；影响范围：全部订单；发现时间：10:00');
    const card = c.cardFor('【阶段签核】', D);
    expect((await c.click(A, card, '签核通过')).ok).toBe(false);
    expect((await c.click(D, card, '签核通过')).ok).toBe(true);
  });
});
