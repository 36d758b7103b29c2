import { describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/domain/chat.ts';
import { buildArchive } from '../../src/export/archive.ts';
import { A, B, C, CHAT, Conversation, type Sent } from './driver.ts';

const EXT = 'sandbox:ext';
/** The customer's contact, only in the customer group. */
const E: UserRef = { id: 'sandbox:e', name: '陈经理' };
/** Someone in the internal group who shares the contact's name. */
const X: UserRef = { id: 'sandbox:x', name: '陈经理' };

const textOf = (s: Sent) => (s.msg.body.type === 'text' ? s.msg.body.text : JSON.stringify(s.msg.body.card));
const codeIn = (texts: string[]) => /关联码：([0-9A-Z]{6})/.exec(texts.join('\n'))?.[1];

/** The internal group (CHAT) with the customer group (EXT) linked as 外部. */
async function linked(): Promise<{ c: Conversation; code: string }> {
  const c = new Conversation();
  c.repo.ensureChat(CHAT, 'sandbox', '【技术部】接口联调');
  c.repo.ensureChat(EXT, 'sandbox', '【客户】A科技对接群');
  await c.say(A, '/设置 project:官网改版 dept:技术部');
  const code = codeIn(c.texts(await c.say(A, '/关联')))!;
  expect(code).toMatch(/^[0-9A-Z]{6}$/);
  const sent = await c.say(E, `/关联 ${code} 外部`, EXT);
  expect(sent.find((s) => s.msg.chatId === EXT && textOf(s).includes('✅ 本群已关联到 「【技术部】接口联调」（沙盒）'))).toBeDefined();
  expect(sent.find((s) => s.msg.chatId === CHAT && textOf(s).includes('「【客户】A科技对接群」（沙盒·外部）'))).toBeDefined();
  return { c, code };
}

describe('linking groups', () => {
  it('a code links once; the audit of both groups records it; a reused or expired code is refused; /取消关联 unlinks', async () => {
    const { c, code } = await linked();
    for (const chat of [CHAT, EXT]) {
      expect(c.repo.links.auditOf(chat).map((r) => [r.action, r.actorId, r.detail.external])).toEqual([['link', E.id, true]]);
    }
    // Used: refused in a third group, which stays unlinked.
    expect(c.texts(await c.say(B, `/关联 ${code}`, 'sandbox:third')).join()).toContain('该关联码已被使用');
    expect(c.repo.links.groupOf('sandbox:third')).toHaveLength(1);
    // Expired after 30 minutes.
    const late = codeIn(c.texts(await c.say(A, '/关联')))!;
    c.clock.set('2026-11-23T10:31:00+08:00');
    expect(c.texts(await c.say(B, `/关联 ${late}`, 'sandbox:third')).join()).toContain('该关联码已过期');
    expect(c.texts(await c.say(B, '/关联 ZZZZZZ', 'sandbox:third')).join()).toContain('关联码不存在');
    expect(c.texts(await c.say(B, '/关联 AB12', 'sandbox:third')).join()).toContain('关联码是 6 位数字或大写字母');
    expect(c.texts(await c.say(B, '/关联 ZZZZZZ 内部', 'sandbox:third')).join()).toContain('只能写「外部」');
    // Only the group's leader or whoever linked may unlink.
    expect(c.texts(await c.say(C, '/取消关联', EXT)).join()).toContain('无权操作');
    const bye = await c.say(E, '/取消关联', EXT);
    expect(bye.find((s) => s.msg.chatId === CHAT && textOf(s).includes('取消了 「【客户】A科技对接群」（沙盒·外部） 与本协作的关联'))).toBeDefined();
    expect(c.repo.links.groupOf(EXT).map((g) => g.id)).toEqual([EXT]);
    expect(c.repo.links.auditOf(CHAT).map((r) => r.action)).toEqual(['link', 'unlink']);
    expect(c.repo.links.auditOf(EXT).map((r) => r.action)).toEqual(['link', 'unlink']);
  });

  it('#N is the same request in both groups; the contact in the other group gets the card there and the click moves it for everyone', async () => {
    const { c } = await linked();
    // The contact is named by typing the name: they are in the other group only.
    const raised = await c.say(A, '/需求 数据看板 to:@陈经理 截止:2026-12-04 类型:客户 客户:A科技');
    const card = raised.find((s) => s.msg.body.type === 'card' && s.msg.body.card.header.title.includes('需求确认'));
    expect(card?.msg.chatId).toBe(EXT);
    const shown = await c.say(E, '/查看 #1', EXT);
    expect(shown.map(textOf).join()).toContain('数据看板');
    expect(shown.every((s) => s.msg.chatId === EXT)).toBe(true);
    const click = await c.click(E, c.cardFor('需求确认', E), '确认对接', {}, EXT);
    expect(click.ok).toBe(true);
    expect(c.state(1)).not.toBe('pending');
    // A stage the customer's contact signs off: the sign-off card goes to his group, where he signs.
    await c.say(A, '/需求 报价评审 to:@李四 截止:2026-12-04 类型:客户 客户:A科技'); // #2
    expect(c.texts(await c.say(A, '/对接 #2 @陈经理/A科技 role:客户对接人')).join()).not.toContain('❌');
    const done = await c.say(A, '/完成 #2 客户名称：A科技；核心诉求：数据看板；预算范围：20万；期望交付时间：12月20日');
    expect(done.find((s) => s.msg.body.type === 'card' && s.msg.body.card.header.title.includes('阶段签核'))?.msg.chatId).toBe(EXT);
    expect((await c.click(E, c.cardFor('阶段签核', E), '签核通过', {}, EXT)).ok).toBe(true);
    expect(c.repo.getItem(2)!.stage).toBe('review');
    // /成员 lists both groups by name.
    const members = c.texts(await c.say(A, '/成员')).join();
    expect(members).toContain('「【技术部】接口联调」（沙盒）（本群）：');
    expect(members).toMatch(/「【客户】A科技对接群」（沙盒·外部）：陈经理/);
  });

  it('an ambiguous typed name is refused with the candidates listed; 姓名/群名 picks one', async () => {
    const { c } = await linked();
    await c.say(X, '/帮助', CHAT);
    const refused = c.texts(await c.say(A, '/反馈 @陈经理 验收标准确认了吗？')).join();
    expect(refused).toContain('@陈经理 有 2 位同名成员');
    expect(refused).toContain('陈经理（「【技术部】接口联调」（沙盒））');
    expect(refused).toContain('陈经理（「【客户】A科技对接群」（沙盒·外部））');
    expect(c.repo.listItems(CHAT)).toEqual([]);
    const asked = await c.say(A, '/反馈 @陈经理/A科技 验收标准确认了吗？');
    expect(c.repo.people(1).map((p) => [p.role, p.userId])).toEqual([['asked', E.id]]);
    expect(asked.find((s) => s.msg.body.type === 'card')?.msg.chatId).toBe(EXT);
  });
});

describe('what an external group sees', () => {
  it('never an internal note, an internal or other problem, an internal task, minutes — not as a card, reminder, list, digest or /查看', async () => {
    const { c } = await linked();
    await c.say(A, '/需求 数据看板 to:@陈经理 截止:2026-11-25 类型:客户 客户:A科技'); // #1
    await c.say(A, '/记录 #1 内部 客户预算偏紧，报价留余地 todo:内部评估成本 @王五 截止:2026-11-24'); // #2 note, #3 its to-do
    await c.say(A, '/问题 #1 内部 报价模型有误 sev:重要 @王五 截止:2026-11-24'); // #4
    await c.say(A, '/问题 #1 测试环境不稳定 sev:一般 @李四 截止:2026-11-24'); // #5
    await c.say(A, '/任务 #1 内部压测 @王五 截止:2026-11-24'); // #6
    await c.say(A, '/纪要 #1 内部评审会\n参会：@李四 @王五\n- 价格底线 @王五 截止:2026-11-24'); // #7, #8
    await c.say(A, '/反馈 #1 @李四 内部接口谁负责？'); // #9
    await c.say(A, '/反馈 #1 @陈经理/A科技 验收标准确认了吗？'); // #10
    const internalWords = ['客户预算偏紧', '内部评估成本', '报价模型有误', '测试环境不稳定', '内部压测', '内部评审会', '价格底线', '内部接口谁负责'];
    // What the external group asks for.
    for (const cmd of ['/列表', '/列表 全部', '/周报', '/查看 #1', '/查看 #2', '/查看 #4', '/查看 #5', '/查看 #6', '/查看 #7', '/查看 #9']) await c.say(E, cmd, EXT);
    expect(c.texts(await c.say(E, '/查看 #4', EXT)).join()).toContain('找不到事项 #4');
    // Days of reminders, escalations and the weekly digest.
    for (const t of ['2026-11-24T09:30:00+08:00', '2026-11-24T18:30:00+08:00', '2026-11-25T09:40:00+08:00', '2026-11-26T09:40:00+08:00', '2026-11-27T09:40:00+08:00', '2026-11-30T09:40:00+08:00']) await c.at(t);
    const toExternal = c.platform.sent.filter((s) => s.msg.chatId === EXT);
    expect(toExternal.length).toBeGreaterThan(10);
    const seen = toExternal.map(textOf).join('\n');
    for (const w of internalWords) expect(seen, w).not.toContain(w);
    // What faces the partner does reach it: the request, and the question to its contact.
    expect(seen).toContain('数据看板');
    expect(seen).toContain('验收标准确认了吗');
    // Nor an export row: the external group's archive (whole, and of the request) has the partner's part only.
    for (const itemId of [undefined, 1]) {
      const md = (await buildArchive(c.db, { chatId: EXT, ...(itemId ? { itemId } : {}), format: 'md', timezone: 'Asia/Shanghai', now: c.clock.now() })).body.toString('utf8');
      expect(md).toContain('数据看板');
      expect(md).toContain('验收标准确认了吗');
      for (const w of internalWords) expect(md, w).not.toContain(w);
    }
    const inner = (await buildArchive(c.db, { chatId: CHAT, format: 'md', timezone: 'Asia/Shanghai', now: c.clock.now() })).body.toString('utf8');
    for (const w of ['报价模型有误', '内部压测', '客户预算偏紧']) expect(inner).toContain(w);
    // The internal group sees all of it.
    const inside = c.platform.sent.filter((s) => s.msg.chatId === CHAT).map(textOf).join('\n');
    for (const w of ['报价模型有误', '测试环境不稳定', '内部压测', '内部评审会', '内部接口谁负责']) expect(inside).toContain(w);
  });
});
