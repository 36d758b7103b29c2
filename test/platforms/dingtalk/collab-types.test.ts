// A 合作伙伴 request run through DingTalk: signed robot callbacks in, the stage sign-off card as an
// interactive card, signed card callbacks for the clicks.

import { describe, expect, it } from 'vitest';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, type Harness, harnessEachTest, cardFor, click, say } from './harness.ts';

let fake: FakeDingtalk;
let h: Harness;
harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

const stage = () => h.rt.repo.getItem(1)?.stage;

describe('collaboration types through DingTalk', () => {
  it('合作伙伴: 联合立项 signed off only by the partner contact, then the next stage opens', async () => {
    await say(h, A, '/需求 联合发布会 协作:@李四 类型:合作伙伴 合作方:C协会 截止:2027-03-31', { at: [B] });
    expect(h.rt.repo.getItem(1)).toMatchObject({ process: 'partner', stage: 'kickoff' });
    await say(h, A, '/对接 #1 @王五 role:合作方', { at: [C] });
    await say(h, A, '/完成 #1 分工：我方场地，协会邀约；交付节点：12月5日');
    const card = cardFor(h, '阶段签核', C);
    expect(fake.cardState(card)).toMatchObject({ btn1_text: '签核通过', btn1_action: 'signoff', btn1_for: C.id, form_text: '退回', form_action: 'refuse' });
    expect((await click(h, card, B, 'btn1')).body.userPrivateData?.cardParamMap.notice).toContain('仅限');
    expect(stage()).toBe('kickoff');
    expect((await click(h, card, C, 'btn1')).body.userPrivateData?.cardParamMap.notice).toContain('签核成功');
    expect(stage()).toBe('execute');
    expect(fake.cardState(card)).toMatchObject({ btn1_visible: 'false', color: 'green' });
    // The request card is one interactive card, updated in place: its stepper shows the move.
    const requestCards = fake.cardCreates.filter((c) => c.body.cardData.cardParamMap.title?.includes('【需求】#1'));
    expect(requestCards).toHaveLength(1);
    const shown = fake.cardState(requestCards[0]!.body.outTrackId)!;
    expect(shown.body).toMatch(/✅ 1\. 联合立项 — <a atId=u_a>张三<\/a> 完成，<a atId=u_c>王五<\/a> 签核\n▶️ 2\. 执行 /);
    expect(shown.fields).toContain('**当前阶段**：执行');
  });
});
