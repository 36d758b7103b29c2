// Form cards on DingTalk: `/需求` alone answers with the shipped template's form (text fields, each
// saying what to write), and the signed card callback of its submit raises the request.

import { describe, expect, it } from 'vitest';
import { FORMS } from '../../../src/commands/forms.ts';
import type { FakeDingtalk } from '../../fakes/dingtalk.fake.ts';
import { A, B, C, type Harness, harnessEachTest, cardFor, click, count, say } from './harness.ts';

let fake: FakeDingtalk;
let h: Harness;

harnessEachTest((f, x) => {
  fake = f;
  h = x;
});

describe('a DingTalk form', () => {
  it('/需求 answers with the form; the submit callback raises the request with the named contacts', async () => {
    // B and C are known to the bot (they were @-ed before).
    await say(h, A, '/问题 样机到货延迟 严重程度:一般 责任:@李四 @王五 截止:周五', { at: [B, C] });
    const items = count(h, 'items');
    await say(h, A, '/需求');
    const form = cardFor(h, '发起协作需求', A);
    const p = fake.cardState(form)!;
    expect(p).toMatchObject({ form_visible: 'true', form_text: '提交', form_action: 'form:req', form_for: A.id, form_item: '0' });
    const fields = (JSON.parse(p.form_fields!) as { fields: Array<{ name: string; type: string; required: boolean; placeholder: string }> }).fields;
    expect(fields.map((f) => f.name)).toEqual(FORMS.req.inputs.map((i) => i.name));
    expect(fields.every((f) => f.type === 'TEXT')).toBe(true);
    expect(fields.find((f) => f.name === 'to')).toMatchObject({ required: true, placeholder: expect.stringContaining('多人用空格隔开') });
    expect(fields.find((f) => f.name === 'pri')!.placeholder).toBe('高 / 中 / 低');

    // Someone else's submit, and a name nobody in the group has, are refused on the card.
    const other = await click(h, form, B, 'form', { title: '接口联调', to: '李四', due: '周五 18:00' });
    expect(other.body.userPrivateData?.cardParamMap.notice).toContain('仅限');
    const unknown = await click(h, form, A, 'form', { title: '接口联调', to: '李四 赵九', due: '周五 18:00' });
    expect(unknown.body.userPrivateData?.cardParamMap.notice).toContain('群里没有「赵九」');
    expect(count(h, 'items')).toBe(items);

    const ok = await click(h, form, A, 'form', { title: '接口联调', to: '@李四 王五', due: '周五 18:00', pri: '高', std: '联调通过' });
    expect(ok.status).toBe(200);
    const req = h.rt.repo.getItem(items + 1)!;
    expect(req).toMatchObject({ kind: 'request', title: '接口联调', state: 'pending', initiatorId: A.id });
    expect(h.rt.repo.people(req.id).map((x) => x.userId)).toEqual([B.id, C.id]);
    // The confirmation cards follow, each @-ing its contact.
    expect(cardFor(h, '需求确认', B)).toBeTruthy();
    expect(cardFor(h, '需求确认', C)).toBeTruthy();
  });
});

describe('the DingTalk robot shortcuts (its bot menu)', () => {
  it('发起需求, 我的待办 and 本周周报 sent to the bot in the group act as the menu', async () => {
    await say(h, A, '/需求 样机测试 协作:@李四 截止:2027-03-31', { at: [B] });
    await say(h, A, '发起需求');
    expect(fake.cardState(cardFor(h, '发起协作需求', A))).toMatchObject({ form_action: 'form:req', form_for: A.id });

    const out = () => JSON.stringify([fake.groupSends.map((s) => s.body), fake.sessionSends.map((s) => s.body), fake.cardCreates.map((c) => c.body.cardData)]);
    await say(h, B, '我的待办');
    expect(out()).toContain('我的待办（1）');

    expect(out()).not.toContain('【周报】');
    await say(h, A, '本周周报');
    expect(out()).toContain('【周报】');
  });
});
