// Form cards on Feishu: the card JSON 2.0 rules the platform enforces for forms, and a submit
// callback (signed and encrypted as Feishu sends it) that raises the item.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORMS } from '../../../src/commands/forms.ts';
import { formCard } from '../../../src/engine/forms.ts';
import { CARD_BODY_BYTES, contentBytes } from '../../../src/platforms/feishu/feishu.limits.ts';
import { renderCard } from '../../../src/platforms/feishu/feishu.render.ts';
import { A, B, C, CHAT, FeishuHarness } from '../../fakes/feishu.harness.ts';
import { buttonsOf, type CardElementJson, type CardJson, walkElements } from '../../fakes/feishu.fake.ts';

describe('Feishu form cards', () => {
  it.each(Object.keys(FORMS) as Array<keyof typeof FORMS>)('the %s form: a root-level form, unique names, a submit button, the pickers, within 30 KB', (name) => {
    const card = renderCard(formCard(name, { id: 'feishu:ou_alice', name: '张三' })) as unknown as CardJson;
    const root = card.body.elements;
    const forms = walkElements(root).filter((e) => e.tag === 'form');
    expect(forms).toHaveLength(1);
    expect(root).toContain(forms[0]);
    const inside = walkElements(forms[0]!.elements ?? []);
    const named = walkElements(root).filter((e) => typeof e.name === 'string');
    expect(new Set(named.map((e) => e.name)).size).toBe(named.length);
    expect(named.every((e) => /^[A-Za-z][A-Za-z0-9_]{0,19}$/.test(e.name!))).toBe(true);
    const submit = inside.filter((e) => e.tag === 'button');
    expect(submit).toHaveLength(1);
    expect(submit[0]).toMatchObject({ form_action_type: 'submit', behaviors: [{ type: 'callback', value: { itemId: 0, action: `form:${name}`, for: 'feishu:ou_alice' } }] });
    const tags = inside.map((e) => e.tag);
    for (const i of FORMS[name].inputs) {
      const el = inside.find((e) => e.name === i.name)!;
      expect(el, i.name).toBeDefined();
      const want = { people: i.multiple ? 'multi_select_person' : 'select_person', date: 'picker_datetime', select: 'select_static', text: 'input', multiline: 'input' }[i.kind ?? 'text'];
      expect(el.tag, i.name).toBe(want);
      expect((el as { required?: boolean }).required, i.name).toBe(i.required);
    }
    expect(tags.includes('picker_datetime')).toBe(FORMS[name].inputs.some((i) => i.kind === 'date'));
    expect(contentBytes(card)).toBeLessThanOrEqual(CARD_BODY_BYTES);
  });
});

describe('a Feishu form submit', () => {
  let h: FeishuHarness;
  beforeEach(async () => {
    h = await FeishuHarness.create();
  });
  afterEach(async () => {
    await h.close();
  });

  it('/需求 answers with the form; the signed submit raises the request; a missing field comes back on the card', async () => {
    await h.says(A, '@{ou_bot} /需求');
    const form = h.cardFor('填写表单', A);
    expect(buttonsOf(form.card).map((b) => [b.label, b.form])).toEqual([['提交', 'form_0']]);
    const missing = await h.clicks(A, form, '提交', { title: '接口联调', due: '2026-12-01 18:00 +0800' });
    expect(missing.status).toBe(200);
    expect(JSON.stringify(missing.json())).toContain('请填写：对接人');
    // The card comes back as filled in, the error right under the empty field.
    const back = (missing.json() as { card: { type: string; data: CardJson } }).card;
    expect(back.type).toBe('raw');
    const els = walkElements(back.data.body.elements) as Array<CardElementJson & { tag: string; content?: string; default_value?: string; initial_datetime?: string }>;
    expect(els.find((e) => e.name === 'title')!.default_value).toBe('接口联调');
    expect(els.find((e) => e.name === 'due')!.initial_datetime).toBe('2026-12-01 18:00');
    const to = els.findIndex((e) => e.name === 'to');
    expect(els[to + 1]).toMatchObject({ tag: 'markdown', content: expect.stringContaining('请填写对接人') });
    expect(els.filter((e) => e.content?.includes('⚠️'))).toHaveLength(1);
    // A value the command refuses is marked beside its own field.
    await h.says(A, '@{ou_bot} /任务');
    const task = h.cardFor('分解任务', A);
    const bad = (await h.clicks(A, task, '提交', { request: 'abc', title: '接口联调', owner: 'ou_bob', with: 'ou_bob,ou_carol', due: '2026-12-01 18:00 +0800' })).json() as { card: { data: CardJson } };
    const badEls = walkElements(bad.card.data.body.elements) as Array<CardElementJson & { tag: string; content?: string; initial_option?: string; initial_options?: string[] }>;
    const req = badEls.findIndex((e) => e.name === 'request');
    expect(badEls[req + 1]!.content).toContain('所属需求编号应为数字');
    expect(badEls.find((e) => e.name === 'owner')!.initial_option).toBe('ou_bob');
    expect(badEls.find((e) => e.name === 'with')!.initial_options).toEqual(['ou_bob', 'ou_carol']);
    expect(h.rt.repo.getItem(1)).toBeUndefined();
    expect(h.rt.repo.getItem(1)).toBeUndefined();
    const ok = await h.clicks(A, form, '提交', { title: '接口联调', to: 'ou_bob', due: '2026-12-01 18:00 +0800', pri: '高' });
    expect(JSON.stringify(ok.json())).toContain('已提交');
    expect(h.rt.repo.getItem(1)).toMatchObject({ kind: 'request', title: '接口联调', state: 'pending', initiatorId: 'feishu:ou_alice' });
    expect(new Date(h.rt.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(h.rt.repo.people(1).map((p) => p.userId)).toEqual(['feishu:ou_bob']);
    expect(h.cardFor('需求确认', B)).toBeDefined();
    void C;
  });

  it('/纪要 answers with the minutes form; its submit publishes the minutes, each decision a task, each attendee asked to confirm', async () => {
    // Typed @names are found among the people the bot knows in the group.
    await h.says(A, '@{ou_bot} /记录 @{ou_alice} @{ou_bob} 周会前准备好联调环境');
    await h.says(A, '@{ou_bot} /纪要');
    const form = h.cardFor('会议纪要', A);
    const ok = await h.clicks(A, form, '提交', {
      topic: '接口联调周会',
      time: '2026-11-23 14:00 +0800',
      place: '3楼会议室',
      attendees: 'ou_alice,ou_bob',
      agenda: '回顾上周进度',
      decisions: '- 周五前完成联调 @李四 截止:2026-11-27 18:00\n输出测试报告 @张三 截止:2026-11-30',
    });
    expect(JSON.stringify(ok.json())).toContain('已提交');
    const minutes = h.rt.repo.listItems(`feishu:${CHAT}`).find((i) => i.kind === 'minutes')!;
    expect(minutes).toMatchObject({ title: '接口联调周会' });
    const tasks = h.rt.repo.listItems(`feishu:${CHAT}`).filter((i) => i.kind === 'task');
    expect(tasks.map((t) => [t.title, t.ownerId])).toEqual([
      ['周五前完成联调', `feishu:${B.openId}`],
      ['输出测试报告', `feishu:${A.openId}`],
    ]);
    expect(h.cardFor('纪要', B)).toBeDefined();
  });

  it('/完成 #N alone gives the stage owner the form of the current stage; its submit sends the stage for sign-off', async () => {
    await h.says(A, '@{ou_bot} /需求 数据看板定制 协作:@{ou_bob} 类型:客户 客户:A科技公司 截止:2027-03-31');
    await h.says(A, '@{ou_bot} /对接 #1 @{ou_carol} role:客户对接人');
    // Someone who does not own the stage is told what it needs, with no form.
    await h.says(B, '@{ou_bot} /完成 #1');
    const whispers = h.fake.requests.filter((r) => r.path === '/open-apis/ephemeral/v1/send').map((r) => JSON.stringify(r.body));
    expect(whispers.join('\n')).toContain('缺少「需求收集」的文档');
    await h.says(A, '@{ou_bot} /完成 #1');
    const form = h.cardFor('完成阶段「需求收集」#1', A);
    const names = walkElements(form.card.body.elements).filter((e) => e.name).map((e) => [e.name]);
    expect(names.map(([n]) => n)).toEqual(['form_0', 'f0', 'f1', 'f2', 'f3', 'evidence', 'submit_0']);
    const missing = await h.clicks(A, form, '提交', { f0: 'A科技公司', f1: '定制数据看板' });
    expect(JSON.stringify(missing.json())).toContain('请填写：预算范围、期望交付时间');
    const ok = await h.clicks(A, form, '提交', { f0: 'A科技公司', f1: '定制数据看板；实时刷新', f2: '20万', f3: '12月20日', evidence: 'https://example.com/list' });
    expect(JSON.stringify(ok.json())).toContain('已提交');
    const stages = (h.rt.repo.getItem(1)!.data as { stages: Record<string, { status: string; document: string; evidence: string }> }).stages;
    expect(stages.collect).toMatchObject({ status: 'signing', evidence: 'https://example.com/list' });
    expect(stages.collect!.document).toBe('客户名称：A科技公司；核心诉求：定制数据看板，实时刷新；预算范围：20万；期望交付时间：12月20日');
    expect(h.cardFor('阶段签核', C)).toBeDefined();
    // The stage has moved on to signing: a second submit of the same form is refused on the card.
    const again = await h.clicks(A, form, '提交', { f0: 'A科技公司', f1: '另一个', f2: '1', f3: '12月21日' });
    expect(JSON.stringify(again.json())).toContain('已提交，正等待签核');
    expect((h.rt.repo.getItem(1)!.data as { stages: Record<string, { document: string }> }).stages.collect!.document).toContain('定制数据看板，实时刷新');
  });
});
