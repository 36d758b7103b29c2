// Buttons act on the item version their card was rendered from: a click from an older card is
// refused even when the table would allow it, and every change that bumps the version without a
// transition re-renders the cards, so that the buttons people see keep working.

import { describe, expect, it } from 'vitest';
import { A, B, C, Conversation } from './driver.ts';

const RAISE = '/需求 接口联调 协作:@李四 @王五 截止:周五 标准:联调通过';

describe('stale card versions', () => {
  it('a same-state transition from an old card (objected → objected) is refused', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    const oldB = c.cardFor('需求确认', B);
    expect((await c.click(C, c.cardFor('需求确认', C), '提出异议', { reason: '排期冲突' })).ok).toBe(true);
    expect(c.state(1)).toBe('objected');
    const version = c.repo.getItem(1)!.version;

    const r = await c.click(B, oldB, '提出异议', { reason: '旧卡片' });
    expect(r.ok).toBe(false);
    expect(r.toast).toContain('卡片已更新');
    expect(c.repo.getItem(1)!.version).toBe(version);
    expect(c.repo.history(1).filter((x) => x.action === 'object')).toHaveLength(1);
    // The refusal carries the card as it is now; from it B's objection is accepted.
    expect(r.card?.buttons.every((b) => b.version === version)).toBe(true);
    expect((await c.click(B, c.cardFor('需求确认', B), '提出异议', { reason: '新卡片' })).ok).toBe(true);
  });

  it("another contact's confirmation does not make a card stale: what it asks is unchanged", async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    // B's card as first drawn; its redraw may still wait behind the platform's rate limit.
    const oldB = c.cardFor('需求确认', B);
    expect((await c.click(C, c.cardFor('需求确认', C), '确认对接')).ok).toBe(true);
    expect(c.repo.getItem(1)!.version).toBeGreaterThan(oldB.card.buttons[0]!.version!);
    const r = await c.click(B, oldB, '确认对接');
    expect(r.ok).toBe(true);
    expect(c.state(1)).toBe('active');
  });

  it('a card drawn before a new deadline, or before the clicker acted, is stale', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    const oldB = c.cardFor('需求确认', B);
    await c.say(A, '/改期 #1 下周一 reason:等待评审');
    const r = await c.click(B, oldB, '确认对接');
    expect(r.ok).toBe(false);
    expect(r.toast).toContain('卡片已更新');

    // B objects from the current card; the card B held before that cannot object again.
    const before = c.cardFor('需求确认', B);
    expect((await c.click(B, before, '提出异议', { reason: '排期冲突' })).ok).toBe(true);
    expect((await c.click(C, c.cardFor('需求确认', C), '确认对接')).ok).toBe(true);
    expect((await c.click(B, before, '提出异议', { reason: '再来一次' })).ok).toBe(false);
    expect(c.repo.history(1).filter((x) => x.action === 'object')).toHaveLength(1);
  });

  it('a new deadline, owner or contact re-renders the cards, whose buttons then work', async () => {
    const c = new Conversation();
    await c.say(A, RAISE);
    await c.say(A, '/改期 #1 下周一 reason:等待评审');
    const bCard = c.cardFor('需求确认', B);
    expect(bCard.card.buttons.every((b) => b.version === c.repo.getItem(1)!.version)).toBe(true);
    expect(bCard.card.fields.find((f) => f.label === '截止')?.value).toContain('2026-11-30');
    expect((await c.click(B, bCard, '确认对接')).ok).toBe(true);

    await c.say(A, '/对接 #1 @张三');
    expect((await c.click(C, c.cardFor('需求确认', C), '确认对接')).ok).toBe(true);
    expect((await c.click(A, c.cardFor('需求确认', A), '确认对接')).ok).toBe(true);
    expect(c.state(1)).toBe('active');
  });
});
