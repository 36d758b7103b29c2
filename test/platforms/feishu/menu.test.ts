// The bot menu over Feishu: signed `application.bot.menu_v6` events (they name no chat) are
// answered in the person's private chat — the request form asks which of their groups it is for,
// 我的待办 lists their open items across groups, 本周周报 sends each group's weekly report.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, C, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { buttonsOf, type CardElementJson, markdowns, walkElements } from '../../fakes/feishu.fake.ts';
import { botMenu, cardClick } from '../../fakes/feishu.wire.ts';

describe('the bot menu over Feishu', () => {
  let h: FeishuHarness;
  beforeEach(async () => {
    h = await FeishuHarness.create();
  });
  afterEach(async () => {
    await h.close();
  });

  const menu = async (who: typeof A, key: string, eventId?: string) => {
    h.rt.clock.advance(1000);
    const res = await h.push('/feishu/events', botMenu(h.secrets, h.rt.clock.now(), { operator: who, key, ...(eventId ? { eventId } : {}) }));
    await h.settle();
    return res;
  };
  const toPerson = (who: typeof A) => h.fake.sent.filter((s) => s.kind === 'create' && s.target === who.openId);

  it('发起需求 sends the form to the private chat; its submit raises the request in the chosen group', async () => {
    await h.says(A, '@{ou_bot} /记录 项目启动');
    const before = h.fake.sent.length;
    expect((await menu(A, 'new_request')).status).toBe(200);
    const sent = h.fake.sent.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'create', target: A.openId, receiveIdType: 'open_id', msgType: 'interactive' });
    const form = h.fake.card(sent[0]!.messageId);
    const chat = walkElements(form.body.elements).find((e) => e.name === 'chat') as CardElementJson & { tag: string; options?: Array<{ value: string }> };
    expect(chat.tag).toBe('select_static');
    expect(chat.options!.map((o) => o.value)).toEqual([`feishu:${CHAT}`]);

    const submit = buttonsOf(form).find((b) => b.label === '提交')!;
    const click = (form: Record<string, string>) =>
      h.push('/feishu/card', cardClick(h.secrets, h.rt.clock.now(), { operator: A, chatId: 'oc_p2p_alice', messageId: sent[0]!.messageId, value: submit.value, name: submit.name, form }));
    const values = { title: '官网改版接口联调', to: B.openId, due: '2026-12-20 18:00 +0800', pri: '高' };
    // A group A is not in is refused; nothing is created.
    const refused = await click({ ...values, chat: 'feishu:oc_elsewhere' });
    expect(JSON.stringify(refused.json())).toContain('所在群');
    await h.settle();
    expect(h.rt.repo.listItems(`feishu:${CHAT}`).filter((i) => i.kind === 'request')).toEqual([]);

    const ok = await click({ ...values, chat: `feishu:${CHAT}` });
    expect(JSON.stringify(ok.json())).toContain('已提交到');
    await h.settle();
    const req = h.rt.repo.listItems(`feishu:${CHAT}`).find((i) => i.kind === 'request')!;
    expect(req).toMatchObject({ title: '官网改版接口联调', state: 'pending', initiatorId: `feishu:${A.openId}` });
    // The confirmation card is in the group, for B; the reply is a new message there (no quote).
    expect(h.cardFor('需求确认', B)).toBeTruthy();
    const raised = h.fake.sent.find((s) => s.content.includes('已发起需求'))!;
    expect(raised).toMatchObject({ kind: 'create', target: CHAT });
  });

  it('我的待办 lists the person’s open items across groups in the private chat; a redelivered event acts once', async () => {
    await h.says(A, '@{ou_bot} /需求 样机测试 协作:@{ou_bob} 截止:2027-03-31');
    await h.says(B, '@{ou_bot} /问题 #1 样机到货延迟 严重程度:重要 @{ou_bob} 截止:2027-01-10');
    await menu(B, 'my_todo', 'ev_menu_1');
    await menu(B, 'my_todo', 'ev_menu_1');
    const answers = toPerson(B);
    expect(answers).toHaveLength(1);
    const text = (JSON.parse(answers[0]!.content) as { text: string }).text;
    expect(text).toContain('我的待办（2）');
    expect(text).toContain('样机测试');
    expect(text).toContain('样机到货延迟');
    // Someone the bot has never seen in a group is told where to start.
    await menu(C, 'my_todo');
    expect((JSON.parse(toPerson(C)[0]!.content) as { text: string }).text).toContain('请在项目群里');
  });

  it('本周周报 sends the weekly report of the person’s group; an unknown key does nothing', async () => {
    await h.says(A, '@{ou_bot} /需求 样机测试 协作:@{ou_bob} 截止:2027-03-31');
    const before = h.fake.sent.length;
    await menu(A, 'nonsense');
    expect(h.fake.sent.length).toBe(before);
    await menu(A, 'weekly_report');
    const cards = toPerson(A).filter((s) => s.msgType === 'interactive');
    expect(cards).toHaveLength(1);
    const card = h.fake.card(cards[0]!.messageId);
    expect(card.header.title.content).toContain('周报');
    expect(markdowns(card as unknown as Record<string, unknown>).join('\n')).toContain('样机测试');
  });
});
