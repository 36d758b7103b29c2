// A problem's verification is asked for in a new message, far below the problem's own card: that
// message carries the 验证通过 / 重开 buttons, for the initiator only. The problem card keeps the
// same buttons at the same version; whichever is used first acts, the other is then refused.

import { describe, expect, it } from 'vitest';
import { A, B, Conversation } from './driver.ts';

describe('problem verification buttons', () => {
  it('are on the message that asks the initiator to verify, and act once across both cards', async () => {
    const c = new Conversation();
    await c.say(A, '/问题 支付回调超时 sev:重要 @李四 截止:2027-03-31');
    const issueCard = c.card('【问题】');
    const asked = await c.say(B, '/解决 #1 已扩容回调队列 evidence:https://example.com/r');
    expect(c.state(1)).toBe('verify');

    // What was sent to ask A: a new card (not a text) naming A, with the buttons for A.
    const ask = asked.find((s) => s.msg.body.type === 'card' && s.id !== issueCard.id);
    expect(ask, 'a new message asks for verification').toBeDefined();
    const askCard = { id: ask!.id, card: c.platform.cards.get(ask!.id)! };
    expect(askCard.card.markdown.join()).toContain(`<@${A.id}>`);
    expect(askCard.card.markdown.join() + askCard.card.fields.map((f) => f.value).join()).toContain('已扩容回调队列');
    expect(askCard.card.buttons.map((b) => [b.label, b.for])).toEqual([
      ['验证通过', A.id],
      ['重开', A.id],
    ]);
    // The problem card, as updated by the resolution (kept aside: the old render).
    const oldIssue = { id: issueCard.id, card: c.platform.cards.get(issueCard.id)! };
    expect(oldIssue.card.buttons.map((b) => b.label)).toEqual(['验证通过', '重开']);

    // Only A's click counts.
    const refused = await c.click(B, askCard, '验证通过');
    expect(refused.ok).toBe(false);
    expect(refused.toast).toContain('仅限');
    expect(c.state(1)).toBe('verify');

    expect((await c.click(A, askCard, '验证通过')).ok).toBe(true);
    expect(c.state(1)).toBe('closed');
    // Both cards now show the outcome without buttons; the old render of the problem card is stale.
    expect(c.platform.cards.get(askCard.id)!.buttons).toEqual([]);
    expect(c.platform.cards.get(askCard.id)!.markdown.join()).toContain('已验证关闭');
    expect(c.platform.cards.get(issueCard.id)!.buttons).toEqual([]);
    const again = await c.click(A, oldIssue, '重开', { reason: '旧卡片' });
    expect(again.ok).toBe(false);
    expect(c.state(1)).toBe('closed');
    expect(c.repo.history(1).map((h) => h.action)).toEqual(['create', 'resolve', 'verify']);
  });
});
