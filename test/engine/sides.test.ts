import { describe, expect, it } from 'vitest';
import { mainContactOf, pickSide } from '../../src/domain/sides.ts';
import type { UserRef } from '../../src/domain/chat.ts';
import { A, B, C, CHAT, Conversation } from './driver.ts';

const mention = (u: { id: string }) => `<@${u.id}>`;

describe('one 总对接人 per side', () => {
  it('role:总 replaces the side\'s 总对接人: the new one confirms, the old one is told and its card no longer acts', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:周五');
    const oldCard = c.cardFor('需求确认', B);
    const out = c.texts(await c.say(A, '/对接 #1 @王五 role:总 原因:李四调岗'));
    expect(out.join()).toContain(`总对接人由 ${mention(B)} 更换为 ${mention(C)}`);
    expect(out.join()).toContain(`${mention(B)} 不再担任总对接人`);
    expect(out.join()).toContain('原因：李四调岗');
    expect(c.repo.people(1).filter((p) => p.role === 'contact').map((p) => p.userId)).toEqual([C.id]);
    expect(c.repo.history(1).at(-1)!.detail).toMatchObject({ user: C.id, replaced: B.id, reason: '李四调岗' });
    // The replaced contact's card is redrawn without buttons; the one drawn before is refused.
    expect(c.platform.cards.get(oldCard.id)!.header.tag).toBe('已更换');
    expect((await c.click(B, oldCard, '确认对接')).ok).toBe(false);
    expect(c.state(1)).toBe('pending');
    expect((await c.click(C, c.cardFor('需求确认', C), '确认对接')).ok).toBe(true);
    expect(c.state(1)).toBe('active');
  });

  it('without a role /对接 adds a side; with several sides role:总 must say which one (方:@…), unless its 总对接人 hands over', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:下周五');
    await c.say(A, '/对接 #1 @王五 duty:设计稿');
    const contacts = () => c.repo.people(1).filter((p) => p.role === 'contact').map((p) => p.userId);
    expect(contacts()).toEqual([B.id, C.id]);
    const refused = c.texts(await c.say(A, '/对接 #1 @张三 role:总')).join();
    expect(refused).toContain('有 2 个协作方');
    expect(refused).toContain('方:@该方总对接人');
    expect(contacts()).toEqual([B.id, C.id]);
    expect(c.texts(await c.say(A, '/对接 #1 @张三 role:总 方:@张三')).join()).toContain('方: 后要 @一方的总对接人');
    await c.say(A, '/对接 #1 @张三 role:总 方:@王五');
    expect(contacts()).toEqual([B.id, A.id]);
    // The new 总对接人 keeps the side's duty when none is given.
    expect(c.repo.people(1).find((p) => p.userId === A.id)!.duty).toBe('设计稿');
    // A 总对接人 handing over their own side needs no 方:.
    await c.say(B, '/对接 #1 @王五 role:总');
    expect(contacts()).toEqual([A.id, C.id]);
  });

  it('mainContactOf: the person themself, their side\'s 总对接人, else the first side', () => {
    const people = [
      { userId: 'b', role: 'contact', status: 'confirmed' },
      { userId: 'x', role: 'role:customer', status: 'confirmed' },
      { userId: 's', role: 'sub', status: 'pending' },
    ];
    const links = { s: { side: 'x', dueAt: 0, v: 1 } };
    expect(mainContactOf(people, 'x')).toBe('x');
    expect(mainContactOf(people, 's', links)).toBe('x');
    expect(mainContactOf(people, 's')).toBe('b');
    expect(mainContactOf(people, 'nobody')).toBe('b');
    expect(mainContactOf([], 'b')).toBeUndefined();
    expect(pickSide(people, links, { user: 'n', actor: 'a' })).toEqual({ ok: true, main: 'b' });
    expect(pickSide(people, links, { user: 'n', actor: 'a', named: 'x' })).toEqual({ ok: false, why: 'not-a-side' });
    expect(pickSide(people, links, { user: 'n', actor: 'a', named: 'x', outside: true })).toEqual({ ok: true, main: 'x' });
  });
});

describe('sub-contacts confirm their duty', () => {
  it('on a card of their own: only they may click; until then the request\'s clock nags them', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:下周五');
    await c.click(B, c.cardFor('需求确认', B), '确认对接');
    expect(c.state(1)).toBe('active');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    expect(c.texts(await c.say(A, '/对接 #1 @王五 role:子')).join()).toContain('子对接人要写明职责');
    const added = c.texts(await c.say(A, '/对接 #1 @王五 role:子 duty:前端页面')).join();
    expect(added).toContain(`新增子对接人 ${mention(C)}（${mention(B)} 一方），职责：前端页面`);
    const card = c.cardFor('分工确认', C);
    expect(card.card.fields).toEqual(expect.arrayContaining([{ label: '职责', value: '前端页面' }, { label: '所属方总对接人', value: mention(B) }]));
    // The request's clock is now the sub-contact's confirmation: one working day, to the end of
    // the next one (Tuesday 18:00 Beijing time).
    expect(new Date(c.repo.getItem(1)!.clockAt!).toISOString()).toBe('2026-11-24T10:00:00.000Z');
    // Someone else's click does nothing.
    const wrong = await c.click(B, card, '确认分工');
    expect(wrong.ok).toBe(false);
    expect(wrong.toast).toContain(`仅限 ${mention(C)} 操作`);
    expect(c.repo.people(1).find((p) => p.role === 'sub')!.status).toBe('pending');
    // Past the clock the sub-contact is pinged by name.
    const pinged = (await c.at('2026-11-24T18:30:00+08:00')).join('\n');
    expect(pinged).toContain(mention(C));
    expect(pinged).toContain('确认分工');
    expect((await c.click(C, card, '确认分工')).ok).toBe(true);
    expect(c.repo.people(1).find((p) => p.role === 'sub')!.status).toBe('confirmed');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    expect(c.pendingReminders().filter((r) => r.key.startsWith('c:1:'))).toHaveLength(0);
    expect(c.platform.cards.get(card.id)!.header.tag).toBe('已确认');
    expect((await c.click(C, card, '确认分工')).ok).toBe(false);
  });

  it('an objection needs a reason; a changed duty is confirmed again and the older card is refused', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:下周五');
    // The side's 总对接人 adds a sub-contact to their own side.
    await c.say(B, '/对接 #1 @王五 role:子 duty:前端页面');
    const first = c.cardFor('分工确认', C);
    expect((await c.click(C, first, '提出异议')).toast).toContain('请填写原因');
    expect((await c.click(C, first, '提出异议', { reason: '排期冲突' })).ok).toBe(true);
    expect(c.repo.people(1).find((p) => p.role === 'sub')!.status).toBe('objected');
    await c.say(B, '/对接 #1 @王五 role:子 duty:只负责联调');
    expect(c.repo.people(1).find((p) => p.role === 'sub')).toMatchObject({ status: 'pending', duty: '只负责联调' });
    const stale = await c.click(C, { id: first.id, card: first.card }, '确认分工');
    expect(stale.ok).toBe(false);
    expect(stale.toast).toContain('分工已调整');
    expect((await c.click(C, c.cardFor('分工确认', C), '确认分工')).ok).toBe(true);
    expect(c.repo.history(1).map((h) => h.action)).toEqual(['create', 'contact', 'sub_object', 'contact', 'sub_confirm']);
    const shown = (await c.say(A, '/查看 #1')).find((x) => x.msg.body.type === 'card')!;
    expect(shown.msg.body.type === 'card' && shown.msg.body.card.fields).toEqual(expect.arrayContaining([{ label: '子对接人', value: `${mention(C)}✅（只负责联调）` }]));
  });

  it('with several sides the sub-contact\'s side must be named, and moves with its 总对接人', async () => {
    const c = new Conversation();
    const D: UserRef = { id: 'sandbox:d', name: '赵六' };
    c.repo.upsertUser(D.id, D.name, 0);
    let seq = 0;
    const send = async (who: UserRef, text: string, mentions: UserRef[]) => {
      const before = c.platform.sent.length;
      c.engine.handleMessage({ platform: 'sandbox', chatId: CHAT, messageId: `side${++seq}`, sender: who, text, mentions, mentionedBot: true, receivedAt: c.clock.now() });
      await c.dispatcher.drain();
      return c.texts(c.platform.sent.slice(before)).join();
    };
    await c.say(A, '/需求 接口联调 协作:@李四 @王五 截止:下周五');
    expect(await send(A, `/对接 #1 ${mention(D)} role:子 duty:前端`, [D])).toContain('有 2 个协作方');
    await send(A, `/对接 #1 ${mention(D)} role:子 方:${mention(C)} duty:前端`, [D, C]);
    const sideOf = () => (c.repo.getItem(1)!.data.subs as Record<string, { side: string }>)[D.id]!.side;
    expect(sideOf()).toBe(C.id);
    // Replacing that side's 总对接人 moves its sub-contacts with it.
    await send(A, `/对接 #1 ${mention(A)} role:总 方:${mention(C)}`, [A, C]);
    expect(sideOf()).toBe(A.id);
    expect(c.cardFor('分工确认', D).card.fields).toEqual(expect.arrayContaining([{ label: '所属方总对接人', value: mention(A) }]));
  });
});

describe('the customer\'s contact', () => {
  it('is replaced, not added; changing it needs a reason, which is recorded and announced', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:下周五');
    await c.say(A, '/对接 #1 @王五 role:客户对接人 外部:A科技公司刘总');
    const holders = () => c.repo.people(1).filter((p) => p.role === 'role:customer').map((p) => p.userId);
    const refused = c.texts(await c.say(A, '/对接 #1 @张三 role:客户对接人 外部:A科技公司陈经理')).join();
    expect(refused).toContain('更换客户对接人需要写明原因');
    expect(holders()).toEqual([C.id]);
    // The same colleague standing in for another person at the customer is a change as well.
    expect(c.texts(await c.say(A, '/对接 #1 @王五 role:客户对接人 外部:A科技公司陈经理')).join()).toContain('需要写明原因');
    const told = c.texts(await c.say(A, '/对接 #1 @张三 role:客户对接人 外部:A科技公司陈经理 原因:刘总调岗')).join();
    expect(holders()).toEqual([A.id]);
    expect(told).toContain(`客户对接人由 A科技公司刘总（经 ${mention(C)} 联系） 更换为 A科技公司陈经理（经 ${mention(A)} 联系）`);
    expect(told).toContain('原因：刘总调岗');
    expect(told).toContain(`请 ${mention(C)} ${mention(A)} 告知A科技公司`);
    expect(c.repo.history(1).at(-1)!.detail).toMatchObject({ role: 'customer', user: A.id, replaced: C.id, reason: '刘总调岗' });
    expect(c.repo.getItem(1)!.data.outsiders).toEqual({ [`customer:${A.id}`]: 'A科技公司陈经理' });
  });

  it('a supplier contact is replaced without a reason', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 芯片采购 to:@李四 类型:供应商 供应商:B电子 截止:下周五');
    await c.say(A, '/对接 #1 @王五 role:供应商对接人');
    expect(c.texts(await c.say(A, '/对接 #1 @张三 role:供应商对接人')).join()).toContain('更换为');
    expect(c.repo.people(1).filter((p) => p.role === 'role:supplier').map((p) => p.userId)).toEqual([A.id]);
  });
});
