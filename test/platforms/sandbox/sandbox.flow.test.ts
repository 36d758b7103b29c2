// Issue 2's flow, end to end over the sandbox's HTTP API: the same engine, database, outbox and
// dispatcher as production; assertions on the sandbox's messages and on the item and audit rows.

import { afterEach, describe, expect, it } from 'vitest';
import { testRuntime, type TestRuntime } from '../../helpers/runtime.ts';
import { G1, LS, SandboxChat, textOf, WW, ZS } from '../../helpers/sandbox-chat.ts';

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五 优先级:高 标准:联调通过';

let rt: TestRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

async function start(): Promise<SandboxChat> {
  rt = await testRuntime();
  return new SandboxChat(rt);
}

function audit(r: TestRuntime): Array<{ action: string; actor_id: string; from_state: string | null; to_state: string | null }> {
  return r.db.$client.prepare('select action, actor_id, from_state, to_state from audit where item_id = 1 order by id').all() as never;
}

function outboxPending(r: TestRuntime): number {
  return (r.db.$client.prepare("select count(*) as n from outbox where status != 'sent'").get() as { n: number }).n;
}

describe('the issue-2 flow over the sandbox HTTP API', () => {
  it('request → confirmations → objection → in progress → submit → reject → resubmit → accept → close → history', async () => {
    const c = await start();

    // 张三 raises the request: his own message is stored first, then the bot answers.
    const raised = await c.say(ZS, RAISE);
    expect(raised[0]).toMatchObject({ senderId: ZS, body: { type: 'text', text: '/需求 接口联调 协作:<@sandbox:lisi> <@sandbox:wangwu> 截止:周五 优先级:高 标准:联调通过' } });
    expect(raised.slice(1).every((m) => m.senderId === null)).toBe(true);
    expect(raised.map((m) => textOf(m.body)).join('\n')).toContain('已发起需求 #1「接口联调」');
    expect(c.state(1)).toBe('pending');
    expect(rt!.repo.getItem(1)).toMatchObject({ chatId: G1, initiatorId: ZS, priority: 'high' });
    expect(outboxPending(rt!)).toBe(0);

    // One confirmation card per contact; its buttons are for that contact only.
    const lsCard = await c.cardFor('需求确认', LS);
    const wwCard = await c.cardFor('需求确认', WW);
    expect(lsCard.id).not.toBe(wwCard.id);
    expect(lsCard.body.card.buttons.map((b) => [b.label, b.for])).toEqual([
      ['确认对接', LS],
      ['提出异议', LS],
    ]);
    expect(wwCard.body.card.buttons.every((b) => b.for === WW)).toBe(true);
    expect(lsCard.body.card.header).toMatchObject({ color: 'orange', tag: '待确认' });
    expect(lsCard.body.card.fields).toContainEqual({ label: '截止', value: '2026-11-27 18:00 周五' });
    expect(lsCard.body.card.mentions).toContainEqual({ id: LS, name: '李四' });

    // 王五 clicking 李四's button is refused: a toast, and nothing changes.
    const rowsBefore = await c.messages();
    const refused = await c.click(WW, lsCard, '确认对接');
    expect(refused.ok).toBe(false);
    expect(refused.toast).toContain('仅限');
    expect(c.state(1)).toBe('pending');
    expect(await c.messages()).toEqual(rowsBefore);
    expect(audit(rt!).map((a) => a.action)).toEqual(['create']);

    // 李四 confirms: his card is updated in place (same row, higher rev), no buttons left.
    const confirmed = await c.click(LS, lsCard, '确认对接');
    expect(confirmed.ok).toBe(true);
    const lsAfter = await c.card(lsCard.id);
    expect(lsAfter.rev).toBeGreaterThan(lsCard.rev);
    expect(lsAfter.body.card.buttons).toEqual([]);
    expect(lsAfter.body.card.markdown.join()).toContain('已确认');
    expect(lsAfter.body.card.header.color).toBe('green');
    expect(c.state(1)).toBe('pending');

    // 王五 objects with a reason (through the form): 张三 is told.
    const revBefore = Math.max(...(await c.messages()).map((m) => m.rev));
    const objected = await c.click(WW, wwCard, '提出异议', { reason: '接口文档还没定稿' });
    expect(objected.ok).toBe(true);
    expect(c.state(1)).toBe('objected');
    const told = (await c.since(revBefore)).filter((m) => m.body.type === 'text').map((m) => textOf(m.body)).join('\n');
    expect(told).toContain(`<@${ZS}>`);
    expect(told).toContain('接口文档还没定稿');

    // 王五 then confirms → 进行中.
    const wwAgain = await c.card(wwCard.id);
    expect(wwAgain.body.card.buttons.map((b) => b.label)).toEqual(['确认对接']);
    expect((await c.click(WW, wwAgain, '确认对接')).ok).toBe(true);
    expect(c.state(1)).toBe('active');

    // 李四 submits → an acceptance card for 张三.
    const submitted = await c.say(LS, '/提交 #1 联调报告 evidence:https://example.com/r');
    expect(c.state(1)).toBe('review');
    const review = await c.cardFor('成果验收', ZS);
    expect(submitted.map((m) => m.id)).toContain(review.id);
    expect(review.body.card.buttons.map((b) => [b.label, b.for])).toEqual([
      ['验收通过', ZS],
      ['驳回', ZS],
    ]);
    expect(textOf(review.body)).toContain('https://example.com/r');
    expect(review.body.card.buttons[1]!.inputs?.map((i) => [i.name, i.required])).toEqual([
      ['reason', true],
      ['due', true],
    ]);

    // 张三 rejects with a reason and a new date.
    const rejected = await c.click(ZS, review, '驳回', { reason: '缺少压测数据', due: '12月2日' });
    expect(rejected.ok).toBe(true);
    expect(c.state(1)).toBe('rework');
    expect(new Date(rt!.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect((await c.card(review.id)).body.card.markdown.join()).toContain('已驳回');

    // 李四 submits again → a new acceptance card; 张三 accepts; 张三 closes.
    await c.say(LS, '/提交 #1 联调报告v2 evidence:https://example.com/r2');
    const review2 = await c.cardFor('成果验收', ZS);
    expect(review2.id).not.toBe(review.id);
    expect((await c.click(ZS, review2, '验收通过')).ok).toBe(true);
    expect(c.state(1)).toBe('accepted');
    await c.say(ZS, '/关闭 #1');
    expect(c.state(1)).toBe('closed');

    // /查看 #1 shows the whole history with who and when.
    const shown = await c.say(ZS, '/查看 #1');
    const history = shown.filter((m) => m.senderId === null).map((m) => textOf(m.body)).join('\n');
    for (const s of ['发起', '确认', '提出异议', '提交成果', '驳回', '验收通过', '关闭', '接口文档还没定稿', '缺少压测数据', '2026-11-23 10:00', `<@${WW}>`]) {
      expect(history).toContain(s);
    }
    const historyCard = shown.find((m) => m.body.type === 'card');
    expect(historyCard?.replyTo).toBe(shown[0]!.id);

    expect(audit(rt!)).toEqual([
      { action: 'create', actor_id: ZS, from_state: null, to_state: 'pending' },
      { action: 'confirm', actor_id: LS, from_state: 'pending', to_state: 'pending' },
      { action: 'object', actor_id: WW, from_state: 'pending', to_state: 'objected' },
      { action: 'confirm', actor_id: WW, from_state: 'objected', to_state: 'active' },
      { action: 'submit', actor_id: LS, from_state: 'active', to_state: 'review' },
      { action: 'reject', actor_id: ZS, from_state: 'review', to_state: 'rework' },
      { action: 'submit', actor_id: LS, from_state: 'rework', to_state: 'review' },
      { action: 'accept', actor_id: ZS, from_state: 'review', to_state: 'accepted' },
      { action: 'close', actor_id: ZS, from_state: 'accepted', to_state: 'closed' },
    ]);
    expect(outboxPending(rt!)).toBe(0);
  });

  it('answers @bot chatter and errors in the chat, ignores chatter without @bot', async () => {
    const c = await start();
    const chatter = await c.say(ZS, '大家早上好');
    expect(chatter).toHaveLength(1);
    const addressed = await c.say(ZS, '@协作助手 你好');
    expect(addressed[0]!.body).toMatchObject({ type: 'text', text: '<@sandbox:bot> 你好', mentions: [{ id: 'sandbox:bot', name: '协作助手' }] });
    expect(textOf(addressed[1]!.body)).toContain('/帮助');
    const help = await c.say(LS, '@bot /帮助');
    expect(help.some((m) => m.senderId === null && textOf(m.body).includes('/需求'))).toBe(true);
    const bad = await c.say(ZS, '/需求 没有对接人 截止:2027-03-31');
    expect(textOf(bad.at(-1)!.body)).toContain('用法');
    expect(bad.at(-1)!.replyTo).toBe(bad[0]!.id);
    expect(rt!.repo.getItem(1)).toBeUndefined();
  });

  it('a second click on a stale card is refused with a toast and changes nothing', async () => {
    const c = await start();
    await c.say(ZS, RAISE);
    await c.click(LS, await c.cardFor('需求确认', LS), '确认对接');
    await c.click(WW, await c.cardFor('需求确认', WW), '确认对接');
    await c.say(LS, '/提交 #1 联调报告');
    const review = await c.cardFor('成果验收', ZS);
    expect((await c.click(ZS, review, '验收通过')).ok).toBe(true);
    // The page still showed the old card (the same button) and 张三 clicked again.
    const again = await c.click(ZS, review, '验收通过');
    expect(again).toMatchObject({ ok: false });
    expect(again.toast).toContain('已处理');
    expect(audit(rt!).filter((a) => a.action === 'accept')).toHaveLength(1);
    // A repeated 确认 by a contact who already confirmed is refused too (the engine words it
    // "无权操作" today; "已处理" would be kinder — reported to the engine's owner).
    const lsCard = await c.cardFor('需求确认', LS);
    const repeat = await c.click(LS, { ...lsCard, body: { ...lsCard.body, card: { ...lsCard.body.card, buttons: [{ label: '确认对接', style: 'primary', action: 'confirm', itemId: 1, version: 1, for: LS }] } } }, '确认对接');
    expect(repeat.ok).toBe(false);
    expect(audit(rt!).filter((a) => a.action === 'confirm')).toHaveLength(2);
  });
});
