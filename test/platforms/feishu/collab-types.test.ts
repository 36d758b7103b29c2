// A customer request and a supplier request run through Feishu: signed, encrypted message events
// in, stage sign-off cards out as card JSON 2.0, clicks back as card.action.trigger.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, B, C, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { buttonsOf, markdownOf } from '../../fakes/feishu.fake.ts';

let h: FeishuHarness;
beforeEach(async () => {
  h = await FeishuHarness.create();
});
afterEach(async () => {
  await h.close();
});

type Toast = { toast: { type: string; content: string } };
const stage = () => h.rt.repo.getItem(1)!.stage;

describe('collaboration types over Feishu', () => {
  it('客户: 需求收集 signed off by the customer contact only; a refusal needs a reason', async () => {
    await h.says(A, '@{ou_bot} /需求 数据看板定制 协作:@{ou_bob} 类型:客户 客户:A科技公司 截止:2027-03-31');
    expect(h.rt.repo.getItem(1)).toMatchObject({ process: 'customer', stage: 'collect', data: expect.objectContaining({ counterparty: 'A科技公司' }) });
    expect(h.texts().join('\n')).toContain('需求收集 → 需求评审 → 方案确认 → 合同签订 → 执行跟进 → 售后闭环');
    await h.says(A, '@{ou_bot} /对接 #1 @{ou_carol} role:客户对接人');
    await h.says(A, '@{ou_bot} /完成 #1 核心诉求：定制数据看板；预算范围：20万 evidence:https://example.com/list');
    const card = h.cardFor('阶段签核', C);
    expect(card.card.schema).toBe('2.0');
    expect(buttonsOf(card.card).map((b) => b.label)).toEqual(['签核通过', '退回']);
    expect(buttonsOf(card.card).every((b) => b.value.for === `feishu:${C.openId}`)).toBe(true);
    expect(markdownOf(card.card)).toContain(`<at id=${C.openId}></at>`);

    const wrong = (await h.clicks(B, card, '签核通过')).json() as Toast;
    expect(wrong.toast).toMatchObject({ type: 'error', content: expect.stringContaining('仅限') });
    expect(stage()).toBe('collect');
    const noReason = (await h.clicks(C, card, '退回', { reason: '' })).json() as Toast;
    expect(noReason.toast.type).toBe('error');
    const refused = (await h.clicks(C, card, '退回', { reason: '缺少期望交付时间', due: '+2d' })).json() as Toast;
    expect(refused.toast.type).toBe('success');
    expect(stage()).toBe('collect');
    expect(markdownOf(h.fake.card(card.messageId))).toContain('缺少期望交付时间');
    expect(buttonsOf(h.fake.card(card.messageId))).toEqual([]);

    await h.says(A, '@{ou_bot} /完成 #1 核心诉求：定制数据看板；期望交付时间：12月20日');
    const again = h.cardFor('阶段签核', C);
    expect(again.messageId).not.toBe(card.messageId);
    expect(((await h.clicks(C, again, '签核通过')).json() as Toast).toast.type).toBe('success');
    expect(stage()).toBe('review');
    expect(h.fake.card(again.messageId).header.template).toBe('green');
    expect(h.texts().join('\n')).toContain('进入阶段「需求评审」');
  });

  it('供应商: 订单确认 is completed by 采购 and signed by the supplier contact', async () => {
    await h.says(A, '@{ou_bot} /需求 服务器采购 协作:@{ou_bob} 类型:供应商 供应商:B制造 截止:2027-03-31');
    await h.says(A, '@{ou_bot} /对接 #1 @{ou_alice} role:采购');
    await h.says(A, '@{ou_bot} /对接 #1 @{ou_carol} role:供应商');
    await h.says(A, '@{ou_bot} /对接 #1 @{ou_bob} role:质量');
    await h.says(A, '@{ou_bot} /完成 #1 合作范围：服务器 20 台');
    await h.clicks(C, h.cardFor('阶段签核', C), '签核通过');
    await h.says(A, '@{ou_bot} /完成 #1 资质：齐全；价格：合理');
    await h.clicks(B, h.cardFor('阶段签核', B), '签核通过');
    expect(stage()).toBe('order');
    // Only 采购 completes the order.
    await h.says(B, '@{ou_bot} /完成 #1 规格：2U');
    // The refusal is for B alone (仅对你可见).
    expect(h.whispers().at(-1)).toMatchObject({ openId: B.openId, text: expect.stringContaining('只有采购') });
    await h.says(A, '@{ou_bot} /完成 #1 订单确认 规格：2U；数量：20；交货时间：12月10日；验收标准：72 小时压测');
    const order = h.cardFor('订单确认', C);
    const shown = markdownOf(order.card);
    expect(shown).toContain('**文档**：采购订单、排期计划');
    // The 采购订单's fields are on the card, each with its value.
    for (const line of ['**规格**：2U', '**数量**：20', '**交货时间**：12月10日', '**验收标准**：72 小时压测']) expect(shown).toContain(line);
    // The supplier confirms with its 排期计划, sent as a message: the card has no bare 签核通过.
    expect(buttonsOf(order.card).map((b) => b.label)).toEqual(['退回']);
    expect(shown).toContain('/完成 #1 排期计划 节点：…；计划时间：…');
    await h.says(A, '@{ou_bot} /完成 #1 排期计划 节点：生产启动；计划时间：12月8日');
    expect(h.whispers().at(-1)).toMatchObject({ openId: A.openId, text: expect.stringContaining('无权操作') });
    expect(stage()).toBe('order');
    await h.says(C, '@{ou_bot} /完成 #1 排期计划 节点：生产启动；计划时间：12月8日');
    expect(stage()).toBe('perform');
    expect(markdownOf(h.fake.card(order.messageId))).toContain('**计划时间**：12月8日');
  });
});
