// /查看 of a finished request shows the retrospective itself (协作复盘报告: what went well, what
// fell short, what to improve), not only that one was written.

import { describe, expect, it } from 'vitest';
import { A, B, Conversation } from './driver.ts';

describe('/查看 and the retrospective', () => {
  it('shows what the retrospective says', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 联调 协作:@李四 截止:2027-03-31');
    await c.click(B, c.cardFor('需求确认', B), '确认对接');
    await c.say(B, '/提交 #1 报告');
    await c.click(A, c.cardFor('成果验收', A), '验收通过');
    await c.say(B, '/复盘 #1 good:对接及时 bad:需求变更多 improve:评审前置');
    const shown = (await c.say(A, '/查看 #1')).flatMap((s) => (s.msg.body.type === 'card' ? [s.msg.body.card] : []));
    expect(shown).toHaveLength(1);
    const text = shown[0]!.markdown.join('\n');
    expect(text).toContain('复盘');
    expect(text).toContain('做得好：对接及时');
    expect(text).toContain('不足：需求变更多');
    expect(text).toContain('改进：评审前置');
  });
});
