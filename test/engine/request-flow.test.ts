import { failInserts } from '../helpers/faults.ts';
import { describe, expect, it } from 'vitest';
import { actOnRequest } from '../../src/engine/request.ts';
import { A, B, C, Conversation, bodyText } from './driver.ts';

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五 优先级:高 标准:联调通过';

describe('request flow (engine, outbox, dispatcher)', () => {
  it('runs the whole skeleton flow with the right people asked at each step', async () => {
    const c = new Conversation();
    const raised = await c.say(A, RAISE);
    expect(c.state(1)).toBe('pending');
    // A reply to A, and one confirmation card per contact, each naming its contact.
    expect(c.texts(raised).join()).toContain('已发起需求 #1「接口联调」');
    const bCard = c.cardFor('需求确认', B);
    const cCard = c.cardFor('需求确认', C);
    expect(bCard.id).not.toBe(cCard.id);
    expect(bCard.card.buttons.map((b) => b.label)).toEqual(['确认对接', '提出异议']);
    expect(bCard.card.buttons.every((b) => b.for === B.id)).toBe(true);
    expect(bCard.card.fields.find((f) => f.label === '截止')?.value).toBe('2026-11-27 18:00 周五');
    expect(bCard.card.fields.find((f) => f.label === '优先级')?.value).toBe('高');
    expect(bCard.card.mentions).toContainEqual({ id: B.id, name: '李四' });

    // C clicking B's button is refused and nothing changes.
    const outboxBefore = c.outboxCount();
    const refused = await c.click(C, bCard, '确认对接');
    expect(refused.ok).toBe(false);
    expect(refused.toast).toContain('仅限');
    expect(c.state(1)).toBe('pending');
    expect(c.outboxCount()).toBe(outboxBefore);
    expect(c.repo.people(1).map((p) => p.status)).toEqual(['pending', 'pending']);

    // B confirms: B's card shows it; still waiting for C.
    expect((await c.click(B, bCard, '确认对接')).ok).toBe(true);
    expect(c.state(1)).toBe('pending');
    expect(c.platform.cards.get(bCard.id)!.markdown.join()).toContain('已确认');
    expect(c.platform.cards.get(bCard.id)!.buttons).toEqual([]);

    // C objects with a reason: A is told.
    const before = c.platform.sent.length;
    const objected = await c.click(C, cCard, '提出异议', { reason: '接口文档还没定稿' });
    expect(objected.ok).toBe(true);
    expect(c.state(1)).toBe('objected');
    const told = c.texts(c.platform.sent.slice(before)).join('\n');
    expect(told).toContain(`<@${A.id}>`);
    expect(told).toContain('接口文档还没定稿');

    // An objection without a reason is refused.
    const cCard2 = { id: cCard.id, card: c.platform.cards.get(cCard.id)! };
    expect(cCard2.card.buttons.map((b) => b.label)).toEqual(['确认对接']);

    // C confirms: everyone confirmed → 进行中.
    expect((await c.click(C, cCard2, '确认对接')).ok).toBe(true);
    expect(c.state(1)).toBe('active');

    // B submits → acceptance card to A.
    const submitted = await c.say(B, '/提交 #1 联调报告 evidence:https://example.com/r');
    expect(c.state(1)).toBe('review');
    const review = c.cardFor('成果验收', A);
    expect(submitted.some((s) => s.id === review.id)).toBe(true);
    expect(bodyText({ type: 'card', card: review.card, cardKey: '' })).toContain('https://example.com/r');

    // B may not accept its own delivery.
    expect((await c.click(B, review, '验收通过')).ok).toBe(false);
    expect(c.state(1)).toBe('review');

    // A rejects with a reason and a new date.
    const rejectNoDate = await c.click(A, review, '驳回', { reason: '缺少压测数据' });
    expect(rejectNoDate.ok).toBe(false);
    expect(c.state(1)).toBe('review');
    const rejected = await c.click(A, review, '驳回', { reason: '缺少压测数据', due: '12月2日' });
    expect(rejected.ok).toBe(true);
    expect(c.state(1)).toBe('rework');
    expect(new Date(c.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(c.platform.cards.get(review.id)!.markdown.join()).toContain('已驳回');

    // B submits again → a new acceptance card; A accepts; A closes.
    await c.say(B, '/提交 #1 联调报告v2 evidence:https://example.com/r2');
    const review2 = c.cardFor('成果验收', A);
    expect(review2.id).not.toBe(review.id);
    expect((await c.click(A, review2, '验收通过')).ok).toBe(true);
    expect(c.state(1)).toBe('accepted');
    await c.say(A, '/关闭 #1');
    expect(c.state(1)).toBe('closed');

    // /查看 #1 shows the whole history, with who and when.
    const shown = await c.say(A, '/查看 #1');
    const history = bodyText(shown.at(-1)!.msg.body);
    for (const s of ['发起', '确认', '提出异议', '提交成果', '驳回', '验收通过', '关闭', '接口文档还没定稿', '缺少压测数据', '2026-11-23 10:00']) {
      expect(history).toContain(s);
    }
    expect(history).toContain(`<@${C.id}>`);
    const actions = c.repo.history(1).map((h) => h.action);
    expect(actions).toEqual(['create', 'confirm', 'object', 'confirm', 'submit', 'reject', 'submit', 'accept', 'close']);
  });

  it('refuses commands by people who may not act, with a visible reply', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    const r1 = await c.say(B, '/关闭 #1');
    expect(c.texts(r1).join()).toMatch(/无权操作|不能关闭/);
    const r2 = await c.say(A, '/提交 #1 我自己交');
    expect(c.texts(r2).join()).toContain('不能提交成果');
    for (const u of [B, C]) await c.click(u, c.cardFor('需求确认', u), '确认对接');
    const r3 = await c.say(A, '/提交 #1 我自己交');
    expect(c.texts(r3).join()).toContain('无权操作');
    const r4 = await c.say(C, '/取消 #1');
    expect(c.texts(r4).join()).toContain('无权操作');
    expect(c.state(1)).toBe('active');
    const r5 = await c.say(A, '/关闭 #99');
    expect(c.texts(r5).join()).toContain('找不到事项 #99');
  });

  it('a bad command gets a reply saying what is wrong and the usage', async () => {
    const c = new Conversation();
    const r = await c.say(A, '/需求 没有对接人 截止:2027-03-31');
    const t = c.texts(r).join();
    expect(t).toContain('❌');
    expect(t).toContain('用法');
    expect(c.repo.getItem(1)).toBeUndefined();
  });

  it('two racing accepts resolve to one transition; the loser is told 已处理', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    for (const u of [B, C]) await c.click(u, c.cardFor('需求确认', u), '确认对接');
    await c.say(B, '/提交 #1 联调报告');
    const review = c.cardFor('成果验收', A);
    // Both clicks read the item at the same version before either commits.
    const stale = c.repo.getItem(1)!;
    expect((await c.click(A, review, '验收通过')).ok).toBe(true);
    const ctx = {
      repo: c.repo,
      config: (c.engine as unknown as { d: { config: never } }).d.config,
      calendar: (c.engine as unknown as { d: { calendar: never } }).d.calendar,
      now: c.clock.now(),
      platform: 'sandbox' as const,
      chatId: 'sandbox:g1',
      actor: A,
    };
    // The loser raced on the stale row: the version check rejects its write.
    const lost = c.repo.tx(() => actOnRequest(ctx, { ...stale, state: 'review' }, { action: 'accept' }));
    expect(lost).toMatchObject({ ok: false, stale: true });
    expect(lost.ok ? '' : lost.message).toContain('已处理');
    // A double click on the old card is also 已处理, not an error.
    const again = await c.click(A, review, '验收通过');
    expect(again.ok).toBe(false);
    expect(again.toast).toContain('已处理');
    expect(c.repo.history(1).filter((h) => h.action === 'accept')).toHaveLength(1);
  });

  it('writes the state change, its audit row and its outbox rows in one transaction', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    const card = c.cardFor('需求确认', B);
    const audits = c.repo.history(1).length;
    const outbox = c.outboxCount();
    // Make every outbox insert fail: the confirmation must roll back entirely.
    const restore = failInserts(c.db, 'outbox');
    const r = await c.click(B, card, '确认对接');
    expect(r.ok).toBe(false);
    expect(c.repo.people(1).find((p) => p.userId === B.id)!.status).toBe('pending');
    expect(c.repo.getItem(1)!.version).toBe(1);
    expect(c.repo.history(1)).toHaveLength(audits);
    restore();
    expect(c.outboxCount()).toBe(outbox);
    // After the fault clears, the same click works.
    expect((await c.click(B, card, '确认对接')).ok).toBe(true);
    expect(c.repo.history(1)).toHaveLength(audits + 1);
    const rows = c.db.$client.prepare('select item_id, status from outbox where id > ?').all(outbox) as { item_id: number }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.item_id === 1)).toBe(true);
  });
});

describe('card action answers', () => {
  it('carry the clicked card as it now looks', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    const card = c.cardFor('需求确认', B);
    const r = await c.click(B, card, '确认对接');
    expect(r.ok).toBe(true);
    expect(r.cardKey).toBe(`item:1:confirm:${B.id}`);
    expect(r.card!.markdown.join()).toContain('已确认');
    expect(r.card!.buttons).toEqual([]);
  });
});
