// What the seeds ask of particular types, through the engine: the request card's stepper, the
// supplier confirming an order with its 排期计划, a late node needing a 延期说明 with an adjusted
// plan, and a customer or supplier contact who is an outsider reached through a colleague.

import { describe, expect, it } from 'vitest';
import { A, B, C, CHAT, Conversation } from './driver.ts';

const md = (c: Conversation, id: string) => c.platform.cards.get(id)!.markdown.join('\n');

describe('the request card', () => {
  it('of a typed request shows the stages as a stepper, and the same card moves with the stage', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    const card = c.card('【需求】#1');
    expect(card.card.fields).toEqual(expect.arrayContaining([{ label: '协作类型', value: '客户' }, { label: '当前阶段', value: '需求收集' }]));
    expect(md(c, card.id)).toMatch(/▶️ 1\. 需求收集 《客户需求清单》[^\n]*负责：发起人 · 签核：客户对接人 · 时限 24 小时（2026-11-24 10:00 周二 前）/);
    expect(md(c, card.id)).toMatch(/\n⬜ 2\. 需求评审\n/);
    await c.say(A, '/对接 #1 @王五 role:客户对接人');
    expect(c.platform.cards.get(card.id)!.fields).toEqual(expect.arrayContaining([{ label: '角色', value: `客户对接人 <@${C.id}>` }]));
    await c.say(A, '/完成 #1 核心诉求：数据看板');
    expect(md(c, card.id)).toContain(`待 <@${C.id}> 签核`);
    await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
    // The same message, updated: one request card, never a second one.
    expect(c.card('【需求】#1').id).toBe(card.id);
    expect(md(c, card.id)).toMatch(new RegExp(`✅ 1\\. 需求收集 — <@${A.id}> 完成，<@${C.id}> 签核\\n▶️ 2\\. 需求评审`));
    expect(c.platform.cards.get(card.id)!.fields).toEqual(expect.arrayContaining([{ label: '当前阶段', value: '需求评审' }]));
    await c.say(A, '/跳过 #1 方案确认 reason:沿用上一版方案');
    expect(md(c, card.id)).toContain('⏭️ 3. 方案确认 — 已跳过：沿用上一版方案');
  });

  it('of 跨部门 chosen by name follows the lifecycle; a request with no type keeps its usual messages', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 to:@李四 类型:跨部门 截止:2027-03-31');
    const card = c.card('【需求】#1');
    await c.click(B, c.cardFor('【需求确认】', B), '确认对接');
    expect(md(c, card.id)).toMatch(/✅ 2\. 对接确认\n▶️ 3\. 执行/);
    await c.say(A, '/需求 周报模板 to:@李四 截止:2027-03-31');
    expect(() => c.card('【需求】#2')).toThrow();
  });
});

/** A supplier request at 订单确认: 采购 A, 供应商对接人 C, 质量/技术 B. */
async function supplierAtOrder(): Promise<Conversation> {
  const c = new Conversation();
  await c.say(A, '/需求 服务器采购 to:@李四 类型:供应商 供应商:B制造 截止:2027-03-31');
  await c.say(A, '/对接 #1 @张三 role:采购');
  await c.say(A, '/对接 #1 @王五 role:供应商');
  await c.say(A, '/对接 #1 @李四 role:质量');
  await c.say(A, '/完成 #1 合作范围：服务器 20 台');
  await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
  await c.say(A, '/完成 #1 资质：齐全；价格：合理');
  await c.click(B, c.cardFor('【阶段签核】', B), '签核通过');
  expect(c.repo.getItem(1)!.stage).toBe('order');
  return c;
}

describe('供应商: 订单确认 with an 排期计划', () => {
  it('the supplier contact confirms the 采购订单 by sending its 排期计划, not by a bare click', async () => {
    const c = await supplierAtOrder();
    await c.say(A, '/完成 #1 订单确认 规格：2U；数量：20；交货时间：12月10日；验收标准：72 小时压测');
    const card = c.cardFor('【阶段签核】', C);
    expect(card.card.buttons.map((b) => b.label)).toEqual(['退回']);
    expect(card.card.markdown.join()).toContain('/完成 #1 排期计划 节点：…；计划时间：…');
    // A forged 签核通过 by the right person still needs the plan.
    const forged = c.engine.handleCardAction({
      platform: 'sandbox', chatId: CHAT, actor: C, itemId: 1, action: 'signoff', version: card.card.buttons[0]!.version, for: C.id, form: {}, receivedAt: c.clock.now(),
    });
    expect(forged).toMatchObject({ ok: false, toast: expect.stringContaining('排期计划') });
    expect(c.texts(await c.say(B, '/完成 #1 排期计划 节点：生产启动；计划时间：12月8日')).join()).toContain('无权操作');
    expect(c.texts(await c.say(C, '/完成 #1 排期计划')).join()).toContain('缺少《排期计划》');
    expect(c.texts(await c.say(C, '/完成 #1 排期计划 节点：生产启动；计划时间：12月8日')).join()).toContain('已签核');
    const item = c.repo.getItem(1)!;
    expect(item.stage).toBe('perform');
    expect(item.data.stages).toMatchObject({ order: { status: 'done', signedBy: C.id, confirmation: '节点：生产启动；计划时间：12月8日' } });
    const closed = c.platform.cards.get(card.id)!;
    expect(closed.fields).toEqual(expect.arrayContaining([{ label: '节点', value: '生产启动' }, { label: '计划时间', value: '12月8日' }]));
    // 履约跟踪 runs to the supplier's own plan date.
    expect(c.texts(await c.say(A, '/阶段 #1')).join()).toMatch(/▶️ 4\. 履约跟踪[^\n]* · 节点时间 2026-12-08 /);
  });
});

describe('供应商: a late node needs a 延期说明', () => {
  it('past the plan date the reminder asks for it, /完成 is refused without it, and an adjusted plan moves the node', async () => {
    const c = await supplierAtOrder();
    await c.say(A, '/完成 #1 规格：2U；数量：20；交货时间：12月10日；验收标准：72 小时压测');
    await c.say(C, '/完成 #1 排期计划 节点：生产启动；计划时间：12月8日');
    const due = c.repo.getItem(1)!.stageDueAt!;
    expect(due).toBeGreaterThan(c.clock.now().getTime());
    const ping = (await c.at('2026-12-09T10:00:00+08:00')).join();
    expect(ping).toContain(`<@${C.id}>`);
    expect(ping).toContain('如需延期，请提交《延期说明》（延期原因、调整方案、计划时间）：/完成 #1 延期说明 延期原因：…；调整方案：…；计划时间：…');
    expect(c.texts(await c.say(C, '/完成 #1 进度跟踪记录 关键节点：生产启动；状态：进行中')).join()).toContain('已超过节点时间');
    expect(c.texts(await c.say(B, '/完成 #1 延期说明 延期原因：芯片缺货；调整方案：替代料；计划时间：12月15日')).join()).toContain('无权操作');
    expect(c.texts(await c.say(C, '/完成 #1 延期说明 延期原因：芯片缺货')).join()).toContain('调整方案');
    const filed = c.texts(await c.say(C, '/完成 #1 延期说明 延期原因：芯片缺货；调整方案：改用替代料；计划时间：12月15日')).join();
    expect(filed).toContain(`<@${A.id}>`);
    expect(filed).toContain('2026-12-15');
    const item = c.repo.getItem(1)!;
    expect(item.stage).toBe('perform');
    expect(item.stageDueAt!).toBeGreaterThan(due);
    // The scheduler now waits for the new date: one stage ping, not before it.
    const plans = c.pendingReminders().filter((r) => r.rule === 'stage');
    expect(plans).toHaveLength(1);
    expect(plans[0]!.fire_at).toBeGreaterThanOrEqual(item.stageDueAt!);
    expect(item.data.stages).toMatchObject({ perform: { status: 'open', delays: [expect.objectContaining({ by: C.id, text: expect.stringContaining('芯片缺货') })] } });
    const shown = (await c.say(A, '/查看 #1')).find((x) => x.msg.body.type === 'card')!;
    expect(shown.msg.body.type === 'card' && shown.msg.body.card.markdown.join('\n')).toMatch(/提交延期说明 内容：延期原因：芯片缺货[^\n]*新期限：2026-12-15/);
    // Before the adjusted date the node can be completed again.
    expect(c.texts(await c.say(C, '/完成 #1 进度跟踪记录 关键节点：生产启动；状态：完成')).join()).toContain(`已请 <@${A.id}> 签核`);
  });
});

describe('an outside contact reached through a colleague', () => {
  it('/对接 … role:客户对接人 外部:<name> names the outsider; the colleague signs for them', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    expect(c.texts(await c.say(A, '/对接 #1 @王五 role:客户对接人 外部:A科技公司刘总')).join()).toContain(`指定客户对接人 A科技公司刘总（经 <@${C.id}> 联系）`);
    expect(c.texts(await c.say(A, '/阶段 #1')).join()).toContain(`客户对接人 A科技公司刘总（经 <@${C.id}> 联系）`);
    expect(c.platform.cards.get(c.card('【需求】#1').id)!.fields).toEqual(expect.arrayContaining([{ label: '角色', value: `客户对接人 A科技公司刘总（经 <@${C.id}> 联系）` }]));
    await c.say(A, '/完成 #1 核心诉求：数据看板');
    const card = c.cardFor('【阶段签核】', C);
    expect(card.card.markdown.join()).toContain(`请 <@${C.id}>（代 A科技公司刘总）签核`);
    expect((await c.click(C, card, '签核通过')).ok).toBe(true);
    expect(c.texts(await c.say(A, '/对接 #1 @李四 role:法务 外部:律所')).join()).toContain('外部');
  });
});
