// The skeleton's request flow run entirely through DingTalk: signed robot callbacks in, the fake
// OpenAPI recording session-webhook replies, card creates and in-place updates, signed card
// callbacks for every click.

import { describe, expect, it } from 'vitest';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, CID, CLIENT_ID, TEMPLATE, type Harness, harnessEachTest, cardFor, click, count, say } from './harness.ts';

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五 优先级:高 标准:联调通过';

let fake: FakeDingtalk;
let h: Harness;

harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

const state = () => h.rt.repo.getItem(1)?.state;

describe('request flow through DingTalk (HTTP callbacks)', () => {
  it('raise → confirm / object / confirm → submit → reject → submit → accept → close', async () => {
    await say(h, A, RAISE, { at: [B, C] });
    expect(state()).toBe('pending');
    const item = h.rt.repo.getItem(1)!;
    expect(item.chatId).toBe(`dingtalk:${CID}`);
    expect(item.initiatorId).toBe(A.id);
    expect(h.rt.repo.people(1).map((p) => p.userId)).toEqual([B.id, C.id]);

    // The reply goes through A's session webhook, with real @s of B and C.
    const reply = fake.sessionSends.find((s) => s.body.text?.content.includes('已发起需求 #1'));
    expect(reply?.session).toBe('s-u_a');
    expect(reply?.body.text?.content).toContain('@u_b');
    expect(reply?.body.at?.atUserIds).toEqual(['u_b', 'u_c']);
    expect(reply?.token).toBeUndefined(); // no token goes to the session webhook

    // One confirmation card per contact, delivered to the group, @-ing its contact.
    expect(fake.cardCreates).toHaveLength(2);
    const bCard = cardFor(h, '需求确认', B);
    const cCard = cardFor(h, '需求确认', C);
    const created = fake.cardCreates.find((c) => c.body.outTrackId === bCard)!.body;
    expect(created).toMatchObject({
      cardTemplateId: TEMPLATE,
      callbackType: 'HTTP',
      callbackRouteKey: 'groupflow',
      openSpaceId: `dtv1.card//IM_GROUP.${CID}`,
      imGroupOpenDeliverModel: { robotCode: CLIENT_ID, atUserIds: { u_b: '李四' } },
      userIdType: 1,
    });
    expect(created.cardAtUserIds).toContain('u_b');
    const p = created.cardData.cardParamMap;
    expect(Object.values(p).every((v) => typeof v === 'string')).toBe(true);
    expect(p).toMatchObject({ btn1_text: '确认对接', btn1_action: 'confirm', btn1_for: B.id, btn1_item: '1', form_text: '提出异议', form_action: 'object' });
    expect(p.fields).toContain('<a atId=u_b>李四</a>');
    expect(p.fields).toContain('2026-11-27 18:00 周五');
    expect(JSON.parse(p.form_fields!).fields[0]).toMatchObject({ name: 'reason', required: true });
    expect(fake.tokenRequests).toHaveLength(1);

    // C clicking B's button is refused, shown only to C; nothing changes or goes out.
    const outboxBefore = count(h, 'outbox');
    const refused = await click(h, bCard, C, 'btn1');
    expect(refused.status).toBe(200);
    expect(refused.body.userPrivateData?.cardParamMap.notice).toContain('仅限 @李四');
    expect(state()).toBe('pending');
    expect(count(h, 'outbox')).toBe(outboxBefore);
    expect(fake.cardUpdates).toHaveLength(0);

    // B confirms: B's card is updated in place (no more buttons); still waiting for C.
    const ok = await click(h, bCard, B, 'btn1');
    expect(ok.body.userPrivateData?.cardParamMap.notice).toContain('确认成功');
    expect(state()).toBe('pending');
    expect(fake.cardState(bCard)).toMatchObject({ btn1_visible: 'false', form_visible: 'false', color: 'green' });
    expect(fake.cardState(bCard)!.body).toContain('已确认');
    expect(fake.cardCreates).toHaveLength(2);

    // C objects with a reason through the card form: A is told, with a real @.
    const sessionsBefore = fake.sessionSends.length + fake.cardCreates.length;
    await click(h, cCard, C, 'form', { reason: '接口文档还没定稿' });
    expect(state()).toBe('objected');
    const told = [...fake.sessionSends.map((s) => s.body.text?.content ?? ''), ...fake.cardCreates.map((c) => c.body.cardData.cardParamMap.body ?? '')];
    expect(fake.sessionSends.length + fake.cardCreates.length).toBeGreaterThan(sessionsBefore);
    expect(told.some((t) => t.includes('接口文档还没定稿') && (t.includes('@u_a') || t.includes('atId=u_a')))).toBe(true);
    expect(fake.cardState(cCard)).toMatchObject({ btn1_action: 'confirm', form_visible: 'false' });

    // C confirms: everyone confirmed → 进行中.
    await click(h, cCard, C, 'btn1');
    expect(state()).toBe('active');

    // B submits → an acceptance card for A.
    await say(h, B, '/提交 #1 联调报告 evidence:https://example.com/r');
    expect(state()).toBe('review');
    const review = cardFor(h, '成果验收', A);
    const rp = fake.cardState(review)!;
    expect(rp.fields).toContain('https://example.com/r');
    expect(rp).toMatchObject({ btn1_action: 'accept', btn1_for: A.id, form_action: 'reject' });

    // B may not accept its own delivery.
    expect((await click(h, review, B, 'btn1')).body.userPrivateData?.cardParamMap.notice).toMatch(/仅限|无权/);
    expect(state()).toBe('review');

    // A rejects with a reason and a new date.
    await click(h, review, A, 'form', { reason: '缺少压测数据', due: '12月2日' });
    expect(state()).toBe('rework');
    expect(new Date(h.rt.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(fake.cardState(review)!.body).toContain('已驳回');

    // B submits again; A accepts the new card; A closes.
    await say(h, B, '/提交 #1 联调报告v2 evidence:https://example.com/r2');
    const review2 = cardFor(h, '成果验收', A);
    expect(review2).not.toBe(review);
    await click(h, review2, A, 'btn1');
    expect(state()).toBe('accepted');
    await say(h, A, '/关闭 #1');
    expect(state()).toBe('closed');

    expect(h.rt.repo.history(1).map((x) => x.action)).toEqual(['create', 'confirm', 'object', 'confirm', 'submit', 'reject', 'submit', 'accept', 'close']);
    // Every outbox row was delivered, each once.
    const rows = h.rt.db.$client.prepare(`select status, count(*) as n from outbox group by status`).all();
    expect(rows).toEqual([{ status: 'sent', n: count(h, 'outbox') }]);
    expect(new Set(fake.cardCreates.map((c) => c.body.outTrackId)).size).toBe(fake.cardCreates.length);
    // Every card update targeted a card that exists, and every update waited for its callback answer.
    expect(fake.cardUpdates.every((u) => fake.cardCreates.some((c) => c.body.outTrackId === u.body.outTrackId))).toBe(true);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(h.rt.repo.userNames([A.id, B.id, C.id])).toEqual(new Map([[A.id, '张三'], [B.id, '李四'], [C.id, '王五']]));
  });
});
