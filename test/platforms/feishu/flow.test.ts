// The request flow of the walking skeleton, run entirely through Feishu: messages arrive as
// signed, encrypted im.message.receive_v1 webhooks with @-mentions as Feishu sends them, cards
// go out as card JSON 2.0 to the fake OpenAPI, clicks come back as card.action.trigger.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, BOT, C, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { textMessage } from '../../fakes/feishu.wire.ts';
import { buttonsOf, markdownOf } from '../../fakes/feishu.fake.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create();
});
afterEach(async () => {
  await h.close();
});

type Toast = { toast: { type: string; content: string } };

describe('request flow over Feishu', () => {
  it('raise → confirm/object → submit → reject → resubmit → accept → close', async () => {
    // A raises a request, @-mentioning the bot, B and C.
    const raised = await h.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} @{ou_carol} 截止:周五 优先级:高 标准:联调通过');
    expect(raised.status).toBe(200);
    expect(h.state(1)).toBe('pending');
    const item = h.rt.repo.getItem(1)!;
    expect(item.chatId).toBe(`feishu:${CHAT}`);
    expect(item.initiatorId).toBe(`feishu:${A.openId}`);

    // Everything went out as creates into the group or replies, with the right types and keys.
    for (const s of h.fake.sent) {
      expect(['text', 'interactive']).toContain(s.msgType);
      expect(typeof s.content).toBe('string');
      expect(s.uuid).toMatch(/^gf-[0-9a-z]+-\d+$/);
      if (s.kind === 'create') expect(s).toMatchObject({ target: CHAT, receiveIdType: 'chat_id' });
    }
    expect(h.texts().join('\n')).toContain('已发起需求 #1');
    // One confirmation card per contact, each asking its contact, coloured for "waiting".
    const bCard = h.cardFor('需求确认', B);
    const cCard = h.cardFor('需求确认', C);
    expect(bCard.messageId).not.toBe(cCard.messageId);
    expect(bCard.card.schema).toBe('2.0');
    expect(bCard.card.header.template).toBe('orange');
    expect(buttonsOf(bCard.card).map((b) => b.label)).toEqual(['确认对接', '提出异议']);
    expect(buttonsOf(bCard.card).every((b) => b.value.for === `feishu:${B.openId}` && b.value.itemId === 1)).toBe(true);
    expect(markdownOf(bCard.card)).toContain(`<at id=${B.openId}></at>`);
    expect(markdownOf(bCard.card)).toContain('2026-11-27 18:00 周五');

    // C clicking B's button is refused with an error toast; nothing changes.
    const patchesBefore = h.fake.patches.length;
    const refused = await h.clicks(C, bCard, '确认对接');
    expect(refused.status).toBe(200);
    const rt = refused.json() as Toast;
    expect(rt.toast.type).toBe('error');
    expect(rt.toast.content).toContain('仅限');
    expect(rt.toast.content).toContain('@李四');
    expect(h.rt.repo.people(1).map((p) => p.status)).toEqual(['pending', 'pending']);
    expect(h.fake.patches.length).toBe(patchesBefore);

    // B confirms: B's card is updated in place (PATCH) to show it, without buttons.
    const ok = (await h.clicks(B, bCard, '确认对接')).json() as Toast;
    expect(ok.toast.type).toBe('success');
    expect(h.state(1)).toBe('pending');
    const bPatch = h.fake.patches.filter((p) => p.messageId === bCard.messageId).at(-1);
    expect(bPatch).toBeDefined();
    const bNow = h.fake.card(bCard.messageId);
    expect(markdownOf(bNow)).toContain('已确认');
    expect(buttonsOf(bNow)).toEqual([]);
    expect(bNow.header.template).toBe('green');

    // C objects through the form, with a reason: A is told, C's card shows the objection.
    const objected = (await h.clicks(C, cCard, '提出异议', { reason: '接口文档还没定稿' })).json() as Toast;
    expect(objected.toast.type).toBe('success');
    expect(h.state(1)).toBe('objected');
    expect(h.texts().join('\n')).toContain('接口文档还没定稿');
    expect(h.texts().join('\n')).toContain(`<at user_id="${A.openId}">`);
    const cNow = h.fake.card(cCard.messageId);
    expect(markdownOf(cNow)).toContain('接口文档还没定稿');
    expect(buttonsOf(cNow).map((b) => b.label)).toEqual(['确认对接']);

    // C confirms: everyone confirmed → in progress.
    expect(((await h.clicks(C, cCard, '确认对接')).json() as Toast).toast.type).toBe('success');
    expect(h.state(1)).toBe('active');

    // B submits (a rich-text-free text command) → an acceptance card asking A.
    await h.says(B, '@{ou_bot} /提交 #1 联调报告 evidence:https://example.com/r');
    expect(h.state(1)).toBe('review');
    const review = h.cardFor('成果验收', A);
    expect(JSON.stringify(review.card)).toContain('https://example.com/r');
    expect(buttonsOf(review.card).map((b) => [b.label, b.form !== undefined])).toEqual([
      ['验收通过', false],
      ['驳回', true],
    ]);

    // A rejects through the form with a reason and a new date.
    const rejected = (await h.clicks(A, review, '驳回', { reason: '缺少压测数据', due: '12月2日' })).json() as Toast;
    expect(rejected.toast.type).toBe('success');
    expect(h.state(1)).toBe('rework');
    expect(new Date(h.rt.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(markdownOf(h.fake.card(review.messageId))).toContain('已驳回');
    expect(h.fake.card(review.messageId).header.template).toBe('red');

    // B submits again → a new acceptance card; A accepts; A closes.
    await h.says(B, '@{ou_bot} /提交 #1 联调报告v2 evidence:https://example.com/r2');
    const review2 = h.cardFor('成果验收', A);
    expect(review2.messageId).not.toBe(review.messageId);
    expect(((await h.clicks(A, review2, '验收通过')).json() as Toast).toast.type).toBe('success');
    expect(h.state(1)).toBe('accepted');
    expect(markdownOf(h.fake.card(review2.messageId))).toContain('已验收通过');
    await h.says(A, '@{ou_bot} /关闭 #1');
    expect(h.state(1)).toBe('closed');

    expect(h.rt.repo.history(1).map((x) => x.action)).toEqual(['create', 'confirm', 'object', 'confirm', 'submit', 'reject', 'submit', 'accept', 'close']);
    // Every outbox row was delivered, each exactly once.
    const rows = h.rt.db.$client.prepare('select status, count(*) as n from outbox group by status').all();
    expect(rows).toEqual([{ status: 'sent', n: expect.any(Number) }]);
    const uuids = h.fake.sent.map((s) => s.uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('a command in a threaded reply is answered in that thread', async () => {
    await h.says(A, '@{ou_bot} /帮助', { parentId: 'om_parent_1' });
    expect(h.fake.sent.at(-1)).toMatchObject({ kind: 'reply', msgType: 'text' });
  });

  it('a card clicked twice (same click delivered twice) gets the same answer and acts once', async () => {
    await h.says(A, '@{ou_bot} /需求 接口联调 协作:@{ou_bob} 截止:周五 标准:联调通过');
    const card = h.cardFor('需求确认', B);
    const first = (await h.clicks(B, card, '确认对接')).json() as Toast;
    // The second delivery is built from the card as it was when clicked.
    const again = await h.push('/feishu/card', {
      schema: '2.0',
      header: { event_id: 'ev-dup-2', event_type: 'card.action.trigger', token: h.secrets.verificationToken, app_id: h.secrets.appId, create_time: String(h.rt.clock.now().getTime()) },
      event: {
        operator: { open_id: B.openId },
        token: 'c-2',
        action: { value: buttonsOf(card.card)[0]!.value, tag: 'button' },
        context: { open_message_id: card.messageId, open_chat_id: CHAT },
      },
    });
    expect(again.json()).toEqual(first);
    expect(h.rt.repo.history(1).filter((x) => x.action === 'confirm')).toHaveLength(1);
  });
});

describe('delivery failures', () => {
  it('a rate-limited send is retried after x-ogw-ratelimit-reset and delivered once', async () => {
    h.fake.failNext({ op: 'reply', status: 429, body: { code: 99991400, msg: 'request trigger frequency limit' }, headers: { 'x-ogw-ratelimit-reset': '3' } });
    h.rt.clock.advance(1000);
    const env = textMessage(h.secrets, h.rt.clock.now(), { chatId: CHAT, sender: A, text: '@{ou_bot} /帮助', people: [A, BOT] });
    await h.push('/feishu/events', env);
    for (let i = 0; i < 400 && h.pendingEvents() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    await h.rt.dispatcher.drain();
    await h.rt.dispatcher.idle();

    const row = () => h.rt.db.$client.prepare('select status, attempts, next_attempt_at as next, last_error as err from outbox').get() as {
      status: string;
      attempts: number;
      next: number;
      err: string;
    };
    // The first attempt hit the limit: kept for retry no earlier than the reset.
    expect(h.fake.sent).toHaveLength(0);
    expect(row()).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row().err).toContain('99991400');
    expect(row().next - h.rt.clock.now().getTime()).toBeGreaterThanOrEqual(3000);

    // Not due yet: nothing is sent.
    h.rt.clock.advance(2000);
    await h.rt.dispatcher.drain();
    expect(h.fake.sent).toHaveLength(0);

    // Past the reset: delivered, once.
    h.rt.clock.advance(1500);
    await h.rt.dispatcher.drain();
    await h.rt.dispatcher.drain();
    expect(h.fake.sent).toHaveLength(1);
    expect(row()).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = h.fake.requests.filter((r) => r.path.startsWith('/open-apis/im/v1/messages'));
    expect(attempts).toHaveLength(2);
    expect(new Set(attempts.map((r) => r.body.uuid)).size).toBe(1);
  });

  it('a non-retryable failure (bot not in the group) fails the row with the vendor code', async () => {
    h.fake.failNext({ op: 'reply', status: 400, body: { code: 230002, msg: 'Bot/User can NOT be out of the chat.' } });
    await h.says(A, '@{ou_bot} /帮助');
    const r = h.rt.db.$client.prepare('select status, last_error as err from outbox').get() as { status: string; err: string };
    expect(r.status).toBe('failed');
    expect(r.err).toContain('230002');
    expect(r.err).toContain('Bot/User can NOT be out of the chat.');
  });
});
