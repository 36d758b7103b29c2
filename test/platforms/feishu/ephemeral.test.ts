// Replies that concern only the asker on Feishu: a refusal and `/列表 mine` go through the
// ephemeral API to that person (仅对你可见); when Feishu refuses that, the group gets the reply.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, FeishuHarness } from '../../fakes/feishu.harness.ts';

describe('replies only the asker sees, over Feishu', () => {
  let h: FeishuHarness;
  beforeEach(async () => {
    h = await FeishuHarness.create();
  });
  afterEach(async () => {
    await h.close();
  });

  it('a refusal and /列表 mine go to the asker alone; the group sees neither', async () => {
    await h.says(A, '@{ou_bot} /需求 样机测试 协作:@{ou_bob} 截止:2027-03-31');
    const sentBefore = h.fake.sent.length;
    await h.says(B, '@{ou_bot} /取消 #1');
    await h.says(B, '@{ou_bot} /列表 mine');
    const req = h.fake.requests.filter((r) => r.path === '/open-apis/ephemeral/v1/send');
    expect(req).toHaveLength(2);
    expect(req.map((r) => [r.body.chat_id, r.body.open_id, r.body.msg_type])).toEqual([
      ['oc_group1', B.openId, 'interactive'],
      ['oc_group1', B.openId, 'interactive'],
    ]);
    const [refusal, mine] = h.whispers();
    expect(refusal!.text).toMatch(/^⛔|❌/);
    expect(refusal!.text).toContain('#1');
    expect(mine!.text).toContain('样机测试');
    expect(h.fake.sent.slice(sentBefore)).toEqual([]);
  });

  it('a group that cannot show it gets the reply instead, once', async () => {
    h.fake.failures.push({ op: 'ephemeral', status: 400, body: { code: 230002, msg: 'the bot can not be outside the group' } });
    await h.says(B, '@{ou_bot} /取消 #9', { messageId: 'om_cancel9' });
    expect(h.whispers()).toEqual([]);
    const answers = h.fake.sent.filter((s) => s.target === 'om_cancel9');
    expect(answers).toHaveLength(1);
    expect(answers[0]!.content).toContain('#9');
  });
});
