// Collaboration types through the engine: each built-in type from its first stage to the end,
// every sign-off tried first by the wrong person; a type defined in the config; the mistakes.

import { describe, expect, it } from 'vitest';
import type { UserRef } from '../../src/domain/chat.ts';
import { BUILTIN_PROCESSES } from '../../src/domain/processes/builtin.ts';
import type { ProcessTemplate } from '../../src/domain/processes/template.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { A, B, C, CHAT, Conversation } from './driver.ts';

const PEOPLE = [A, B, C];

/** Who holds each role in these runs: A raises every request with 李四 (B) as its contact. */
function holderOf(role: string, assigned: Record<string, UserRef>): UserRef {
  if (role === 'initiator') return A;
  if (role === 'contact') return B;
  if (role === 'leader') return assigned.leader ?? A;
  const u = assigned[role];
  if (!u) throw new Error(`no holder for ${role}`);
  return u;
}

/**
 * Runs every stage of `t`: a wrong person's /完成 is refused; the owner completes; the wrong
 * person's click on the sign-off card (and a forged one without `for`) is refused; a refusal
 * without a reason is refused, one with a reason keeps the stage open; the owner completes
 * again and the signer signs it off, which moves the request to the next stage. A stage confirmed
 * with the signer's own document (供应商 订单确认: 排期计划) is signed by sending it, not by a click.
 */
async function runAllStages(c: Conversation, t: ProcessTemplate, assigned: Record<string, UserRef>, labels: Record<string, string>): Promise<void> {
  for (const s of t.stages) {
    expect(c.repo.getItem(1)!.stage).toBe(s.id);
    const owner = holderOf(s.owner, assigned);
    const signer = holderOf(s.signer, assigned);
    const outsider = PEOPLE.find((p) => p !== owner)!;
    const doc = `${s.verdicts?.[0] ?? ''} ${s.documents[0]!.name}：第一版`.trim();
    expect(c.texts(await c.say(outsider, `/完成 #1 ${doc}`)).join()).toContain('无权操作');
    expect(c.texts(await c.say(owner, `/完成 #1 ${s.name} ${doc} evidence:https://example.com/${s.id}`)).join()).toContain(`已请 <@${signer.id}> 签核`);
    const card = c.card(`【阶段签核】#1`);
    expect(card.card.header.title).toContain(s.name);
    expect(card.card.buttons.every((b) => b.for === signer.id)).toBe(true);
    const wrong = PEOPLE.find((p) => p !== signer)!;
    const confirmation = s.confirm ? `/完成 #1 ${s.confirm.name} ${s.confirm.fields.map((f) => `${f}：12月20日`).join('；')}` : '';
    if (s.confirm) expect(c.texts(await c.say(wrong, confirmation)).join()).toContain('无权操作');
    else expect(await c.click(wrong, card, '签核通过')).toMatchObject({ ok: false, toast: expect.stringContaining('仅限') });
    const forged = c.engine.handleCardAction({
      platform: 'sandbox', chatId: CHAT, actor: wrong, itemId: 1, action: 'signoff', version: card.card.buttons[0]!.version, form: {}, receivedAt: c.clock.now(),
    });
    expect(forged).toMatchObject({ ok: false, toast: expect.stringContaining('无权操作') });
    expect(c.repo.getItem(1)!.stage).toBe(s.id);
    expect(await c.click(signer, card, '退回', { reason: '' })).toMatchObject({ ok: false, toast: expect.stringContaining('退回原因') });
    expect(await c.click(signer, card, '退回', { reason: '字段不全' })).toMatchObject({ ok: false, toast: expect.stringContaining('新期限') });
    expect((await c.click(signer, card, '退回', { reason: '字段不全', due: '+2d' })).ok).toBe(true);
    // The returned stage is due by the new date.
    expect((c.repo.getItem(1)!.data.stages as Record<string, { dueAt?: number }>)[s.id]!.dueAt).toBe(c.clock.now().getTime() + 2 * 86_400_000);
    expect(c.repo.getItem(1)!.stage).toBe(s.id);
    // The refused round's card is closed and says why; clicking its old button does nothing.
    expect(c.platform.cards.get(card.id)!).toMatchObject({ buttons: [], markdown: [expect.stringContaining('已退回')] });
    if (!s.confirm) expect((await c.click(signer, card, '签核通过')).ok).toBe(false);
    await c.say(owner, `/完成 #1 ${doc}（补全）`);
    const again = c.card(`【阶段签核】#1`);
    expect(again.id).not.toBe(card.id);
    if (s.confirm) expect(c.texts(await c.say(signer, confirmation)).join()).toContain('已签核');
    else expect(await c.click(signer, again, '签核通过')).toMatchObject({ ok: true });
    expect(labels[s.signer]).toBeDefined();
  }
  expect(c.repo.getItem(1)!.stage).toBe('done');
}

const ROLE_LABELS: Record<string, string> = {
  initiator: '发起人', contact: '对接人', leader: '负责人', customer: '客户对接人', supplier: '供应商对接人', partner: '合作方对接人', legal: '法务', purchasing: '采购', quality: '质量/技术',
};

const CASTS: Record<string, Record<string, UserRef>> = {
  internal: {},
  customer: { customer: C, legal: B },
  supplier: { purchasing: A, supplier: C, quality: B },
  partner: { partner: C },
  emergency: { leader: C },
};

describe('each built-in collaboration type, first stage to the end', () => {
  it.each(BUILTIN_PROCESSES.map((t) => [t.name, t] as const))('%s', async (_name, t) => {
    const c = new Conversation();
    await c.say(A, `/需求 ${t.name}协作试运行 to:@李四 类型:${t.name} 客户:A科技公司 截止:2027-03-31`);
    expect(c.repo.getItem(1)).toMatchObject({ process: t.id, stage: t.stages[0]!.id, urgent: t.urgent });
    for (const [role, who] of Object.entries(CASTS[t.id]!)) {
      expect(c.texts(await c.say(A, `/对接 #1 @${who.name} role:${ROLE_LABELS[role]}`)).join()).toContain(`指定${ROLE_LABELS[role]}`);
    }
    await runAllStages(c, t, CASTS[t.id]!, ROLE_LABELS);
    const audit = c.repo.history(1).map((h) => h.action);
    expect(audit.filter((a) => a === 'signoff')).toHaveLength(t.stages.length);
    expect(audit.filter((a) => a === 'refuse')).toHaveLength(t.stages.length);
  });
});

describe('客户 (customer) type', () => {
  it('stores the customer, announces its stages, needs a 客户对接人 before 需求收集 can be signed, and ends with the archive pattern', async () => {
    const c = new Conversation();
    const sent = c.texts(await c.say(A, '/需求 智能办公系统定制 to:@李四 类型:客户 客户:A科技公司 截止:12月20日'));
    expect(c.repo.getItem(1)!.data.counterparty).toBe('A科技公司');
    expect(sent.join('\n')).toContain('需求收集 → 需求评审 → 方案确认 → 合同签订 → 执行跟进 → 售后闭环');
    const stage = c.texts(await c.say(B, '/阶段 #1')).join('\n');
    expect(stage).toContain('类型：客户 · 当前阶段：需求收集');
    expect(stage).toMatch(/▶️ 1\. 需求收集 《客户需求清单》（客户名称、核心诉求、预算范围、期望交付时间）.*时限 24 小时（2026-11-24 10:00 周二 前）/);
    expect(stage).toContain('⬜ 2. 需求评审');
    expect(c.texts(await c.say(A, '/完成 #1 客户需求清单 核心诉求：数据看板')).join()).toContain('请先发送 /对接 #1 @某人 role:客户对接人');
    await c.say(A, '/对接 #1 @王五 role:客户');
    await c.say(A, '/完成 #1 客户需求清单 核心诉求：数据看板');
    await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
    // 需求评审 must be answered 可执行 / 需调整 / 不可执行.
    expect(c.texts(await c.say(B, '/完成 #1 看过了')).join()).toContain('可执行 / 需调整 / 不可执行');
    expect(c.texts(await c.say(B, '/完成 #1 方案确认 可执行')).join()).toContain('当前阶段是「需求评审」');
    await c.say(B, '/完成 #1 需求评审 需调整 预算需增加');
    expect(c.repo.getItem(1)!.data.stages).toMatchObject({ review: { verdict: '需调整', status: 'signing', signer: A.id } });
    await c.click(A, c.cardFor('【阶段签核】', A), '签核通过');
    // Only the initiator skips, and only with a reason.
    expect(c.texts(await c.say(B, '/跳过 #1 合同签订 reason:框架合同')).join()).toContain('只有发起人');
    expect(c.texts(await c.say(A, '/跳过 #1 合同签订')).join()).toContain('缺少跳过原因');
    expect(c.texts(await c.say(A, '/跳过 #1 合同签订 reason:沿用年度框架合同')).join()).toContain('已跳过阶段「合同签订」');
    expect(c.repo.getItem(1)!.stage).toBe('proposal');
    await c.say(A, '/完成 #1 客户需求确认函 方案V1.2');
    await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
    expect(c.repo.getItem(1)!.stage).toBe('execute'); // 合同签订 was skipped
    await c.say(B, '/完成 #1 进度报告 已完成：看板');
    await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
    await c.say(A, '/完成 #1 满意度调研报告 评分 5');
    const end = c.texts(await c.click(C, c.cardFor('【阶段签核】', C), '签核通过').then(() => c.platform.sent.slice(-2))).join();
    expect(end).toContain('全部 6 个阶段已完成');
    expect(end).toContain('{客户名称}-{项目名称}-{日期}');
    expect(end).toContain('保存 3 年');
    const final = c.texts(await c.say(A, '/阶段 #1')).join('\n');
    expect(final).toContain('全部阶段已完成');
    expect(final).toContain('⏭️ 4. 合同签订');
    expect(final).toContain(`✅ 1. 需求收集 《客户需求清单》（客户名称、核心诉求、预算范围、期望交付时间） — <@${A.id}> 完成，<@${C.id}> 签核`);
    expect(c.texts(await c.say(A, '/完成 #1 再来')).join()).toContain('全部阶段已完成');
  });
});

describe('types, roles and their mistakes', () => {
  it('/列表 and /周报 show the type and stage of each request; /查看 shows the type, the roles and the stepper', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    await c.say(A, '/需求 接口联调 to:@李四 截止:2027-03-31');
    await c.say(A, '/对接 #1 @王五 role:法务');
    const list = c.texts(await c.say(A, '/列表')).join('\n');
    expect(list).toContain('〔客户·需求收集〕数据看板');
    expect(list).toContain('〔跨部门·需求确认〕接口联调');
    const shown = (await c.say(A, '/查看 #1')).find((s) => s.msg.body.type === 'card')!;
    const card = shown.msg.body.type === 'card' ? shown.msg.body.card : undefined;
    expect(card!.fields).toEqual(expect.arrayContaining([{ label: '协作类型', value: '客户' }, { label: '角色', value: `法务 <@${C.id}>` }]));
    expect(card!.markdown[0]).toMatch(/^\*\*阶段\*\*\n▶️ 1\. 需求收集/);
    expect(card!.markdown[0]).toContain('⬜ 6. 售后闭环');
    const report = (await c.say(A, '/周报')).find((s) => s.msg.body.type === 'card')!;
    expect(report.msg.body.type === 'card' && report.msg.body.card.markdown.join('\n')).toMatch(/数据看板\*\* 【待确认】〔客户·需求收集〕 任务/);
  });

  it('an unknown type is refused with the list of types, and nothing is created', async () => {
    const c = new Conversation();
    const r = c.texts(await c.say(A, '/需求 测试 to:@李四 类型:外星 截止:2027-03-31'));
    expect(r.join()).toContain('未知的协作类型：外星');
    expect(r.join()).toContain('客户（customer）');
    expect(c.repo.getItem(1)).toBeUndefined();
  });

  it('an unknown role is refused; requests with no type are 跨部门 and keep their usual messages', async () => {
    const c = new Conversation();
    const sent = c.texts(await c.say(A, '/需求 接口联调 to:@李四 截止:2027-03-31'));
    expect(sent).toHaveLength(1);
    expect(c.repo.getItem(1)).toMatchObject({ process: 'internal', stage: 'request' });
    expect(c.texts(await c.say(A, '/对接 #1 @王五 role:老板')).join()).toContain('无效的角色：老板');
    expect(c.repo.people(1).map((p) => p.role)).toEqual(['contact']);
  });

  it('紧急 is urgent from the start: announced with 【紧急】 at once, even in quiet hours', async () => {
    const c = new Conversation('2026-11-23T23:30:00+08:00');
    const sent = await c.say(A, '/需求 支付故障 to:@李四 类型:紧急 截止:2027-03-31');
    const announce = sent.find((s) => s.msg.body.type === 'text' && s.msg.body.text.startsWith('【紧急】'));
    expect(announce?.msg.urgent).toBe(true);
    expect(c.repo.getItem(1)!.urgent).toBe(true);
    expect(c.texts(await c.say(A, '/阶段 #1')).join()).toContain('时限 1 小时（2026-11-24 00:30 周二 前）');
  });

  it('a type defined in the config runs end to end, with its own role', async () => {
    const config: ConfigInput = {
      processes: {
        audit: {
          name: '审计',
          roles: { auditor: { label: '审计员', aliases: ['auditor'] } },
          stages: [
            { id: 'plan', name: '审计计划', documents: [{ name: '审计计划书', fields: ['范围', '时间'] }], owner: 'initiator', signer: 'auditor', clock: '2wd' },
            { id: 'fieldwork', name: '现场审计', documents: [{ name: '审计底稿', fields: ['发现'] }], owner: 'auditor', signer: 'initiator' },
            { id: 'report', name: '审计报告', documents: [{ name: '审计报告', fields: ['结论'] }], owner: 'auditor', signer: 'contact' },
          ],
          archiveName: '{项目名称}-审计-{日期}',
          retentionYears: 5,
        },
      },
    };
    const c = new Conversation('2026-11-23T10:00:00+08:00', config);
    await c.say(A, '/需求 年度内审 to:@李四 type:audit 截止:2027-03-31');
    expect(c.repo.getItem(1)).toMatchObject({ process: 'audit', stage: 'plan' });
    expect(c.texts(await c.say(A, '/阶段 #1')).join()).toContain('时限 2 个工作日（2026-11-25 10:00 周三 前）');
    await c.say(A, '/对接 #1 @王五 role:审计员');
    const t = { id: 'audit', name: '审计', stages: config.processes!.audit!.stages } as unknown as ProcessTemplate;
    await runAllStages(c, t, { auditor: C }, { ...ROLE_LABELS, auditor: '审计员' });
    expect(c.texts(c.platform.sent.slice(-2)).join()).toContain('保存 5 年');
  });
});

describe('跨部门 follows the request lifecycle', () => {
  it('confirmation, delivery and acceptance move the stage; /阶段 shows it', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 to:@李四 截止:2027-03-31');
    expect(c.repo.getItem(1)!.stage).toBe('request');
    const confirmedVersion = c.repo.getItem(1)!.version;
    await c.click(B, c.cardFor('【需求确认】', B), '确认对接');
    expect(c.repo.getItem(1)).toMatchObject({ state: 'active', stage: 'execute', version: confirmedVersion + 1 });
    await c.say(B, '/提交 #1 联调报告');
    expect(c.repo.getItem(1)!.stage).toBe('acceptance');
    // Its 1-working-day clock is shown; the request's own acceptance clock does the reminding.
    expect(c.repo.getItem(1)!.stageDueAt).toBeNull();
    expect(c.texts(await c.say(A, '/阶段 #1')).join()).toContain('时限 1 个工作日（2026-11-24 10:00 周二 前）');
    expect(c.pendingReminders().filter((r) => r.rule === 'stage')).toEqual([]);
    await c.click(A, c.cardFor('【成果验收】', A), '验收通过');
    expect(c.repo.getItem(1)).toMatchObject({ state: 'accepted', stage: 'retro' });
    const text = c.texts(await c.say(A, '/阶段 #1')).join('\n');
    expect(text).toContain('当前阶段：复盘');
    expect(text).toMatch(/✅ 3\. 执行[^\n]*\n✅ 4\. 成果验收[^\n]*\n▶️ 5\. 复盘/);
    // Reopening goes back to 进行中 but does not move the stage backwards.
    await c.say(A, '/关闭 #1');
    await c.say(A, '/重开 #1 reason:漏了一个接口');
    expect(c.repo.getItem(1)).toMatchObject({ state: 'active', stage: 'retro' });
  });
});

describe('/周报 #N 客户', () => {
  it('builds the customer progress report from the request tasks and stage, for the 客户对接人 to forward', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    await c.say(A, '/任务 #1 看板原型 @李四 截止:周三');
    await c.say(A, '/任务 #1 数据接口 @王五 截止:周四');
    await c.say(A, '/任务 #1 内部评审 @李四 截止:下周五');
    await c.say(B, '/提交 #2 原型链接');
    await c.click(A, c.cardFor('【任务验收】', A), '验收通过');
    await c.say(C, '/进度 #3 40% risk:需客户提供测试账号');
    const noContact = (await c.say(A, '/周报 #1 客户')).find((s) => s.msg.body.type === 'card')!;
    expect(noContact.msg.body.type === 'card' && noContact.msg.body.card.markdown.at(-1)).toContain('还没有客户对接人');
    await c.say(A, '/对接 #1 @王五 role:客户对接人');
    const sent = (await c.say(A, '/周报 #1 客户')).find((s) => s.msg.body.type === 'card')!;
    const card = sent.msg.body.type === 'card' ? sent.msg.body.card : undefined;
    expect(card!.header.title).toBe('【进度报告】#1 数据看板定制');
    expect(card!.fields[0]).toEqual({ label: '致', value: 'A科技公司' });
    const md = card!.markdown.join('\n');
    expect(md).toContain('**已完成**\n- 看板原型');
    expect(md).toContain('**进行中**\n- 数据接口（40%，计划 2026-11-26）\n- 内部评审（0%，计划 2026-12-04）');
    expect(md).toContain('**下一步**\n- 2026-11-26 前完成：数据接口\n- 推进阶段「需求收集」');
    expect(md).not.toContain('前完成：内部评审'); // due after the coming week
    expect(md).toContain('**需配合**\n- 数据接口：需客户提供测试账号');
    expect(md).toContain(`请 <@${C.id}> 将本报告转发给客户`);
    expect(c.texts(await c.say(A, '/周报 #1 随便'))).toEqual([expect.stringContaining('多余')]);
  });
});

describe('/变更 (需求变更单)', () => {
  it('is filed with a reason, confirmed only by the customer contact, one at a time; types without one refuse it', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    expect(c.texts(await c.say(A, '/变更 #1 增加导出')).join()).toContain('缺少变更原因');
    expect(c.texts(await c.say(A, '/变更 #1 增加导出 reason:客户新增')).join()).toContain('请先发送 /对接 #1 @某人 role:客户对接人');
    await c.say(A, '/对接 #1 @王五 role:客户对接人');
    expect(c.texts(await c.say(A, '/变更 #1 增加导出功能 reason:客户新增需求')).join()).toContain(`已登记需求变更单 第 1 号，已请 <@${C.id}> 确认`);
    expect(c.texts(await c.say(B, '/变更 #1 再加一个 reason:顺便')).join()).toContain(`第 1 号仍待 <@${C.id}> 确认`);
    const card = c.cardFor('【需求变更单】', C);
    expect(card.card.fields).toEqual(expect.arrayContaining([{ label: '变更内容', value: '增加导出功能' }, { label: '原因', value: '客户新增需求' }]));
    expect((await c.click(B, card, '确认变更')).toast).toContain('仅限');
    expect((await c.click(C, card, '不同意', { reason: '' })).ok).toBe(false);
    expect((await c.click(C, card, '确认变更')).ok).toBe(true);
    expect(c.repo.getItem(1)!.data.changes).toEqual([expect.objectContaining({ no: 1, status: 'agreed', signer: C.id, by: A.id })]);
    await c.say(B, '/变更 #1 交付改为12月25日 reason:接口延期');
    expect((await c.click(C, c.cardFor('【需求变更单】', C), '不同意', { reason: '不能延期' })).ok).toBe(true);
    expect(c.repo.history(1).map((h) => h.action)).toEqual(expect.arrayContaining(['change', 'change_ok', 'change_no']));

    await c.say(A, '/需求 接口联调 to:@李四 截止:2027-03-31');
    expect(c.texts(await c.say(A, '/变更 #2 加字段 reason:x')).join()).toContain('跨部门类型的需求没有变更单');
  });
});

describe('/满意度 (满意度调研)', () => {
  it('a card to the customer contact only, with a 1–5 score and a comment kept with the request', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    expect(c.texts(await c.say(A, '/满意度 #1')).join()).toContain('还没有客户对接人');
    await c.say(A, '/对接 #1 @王五 role:客户对接人');
    await c.say(A, '/满意度 #1');
    expect(c.texts(await c.say(A, '/满意度 #1')).join()).toContain('正等待');
    const card = c.cardFor('【满意度调研】', C);
    expect(card.card.buttons[0]!.inputs!.map((i) => i.name)).toEqual(['score', 'comment']);
    expect((await c.click(B, card, '提交评价', { score: '5' })).toast).toContain('仅限');
    for (const bad of ['0', '6', '4.5', '很好', '']) expect((await c.click(C, card, '提交评价', { score: bad })).toast).toContain('1–5');
    expect(await c.click(C, card, '提交评价', { score: '４', comment: '响应及时' })).toMatchObject({ ok: true });
    expect(c.repo.getItem(1)!.data.surveys).toEqual([expect.objectContaining({ no: 1, to: C.id, score: 4, comment: '响应及时' })]);
    expect(c.platform.cards.get(card.id)!.fields).toEqual(expect.arrayContaining([{ label: '评分', value: '4 / 5' }]));
    await c.say(A, '/需求 接口联调 to:@李四 截止:2027-03-31');
    expect(c.texts(await c.say(A, '/满意度 #2')).join()).toContain('没有满意度调研');
  });
});
