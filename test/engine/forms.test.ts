import { describe, expect, it } from 'vitest';
import { A, B, C, Conversation } from './driver.ts';

const formOf = (c: Conversation) => c.card('填写表单');

describe('form cards instead of typed grammar', () => {
  it('/需求 alone answers with the request form; submitting it raises the request like typing it', async () => {
    const c = new Conversation();
    await c.say(A, '/需求');
    const form = formOf(c);
    expect(form.card.header.title).toBe('【发起协作需求】填写表单');
    const submit = form.card.buttons[0]!;
    expect(submit).toMatchObject({ action: 'form:req', itemId: 0, for: A.id });
    expect(submit.inputs!.map((i) => [i.name, i.kind, i.required])).toEqual([
      ['title', 'text', true],
      ['to', 'people', true],
      ['due', 'date', true],
      ['pri', 'select', false],
      ['type', 'select', false],
      ['std', 'multiline', false],
    ]);
    const r = await c.click(A, form, '提交', { title: '官网改版 接口联调', to: `${B.id},${C.id}`, due: '2026-12-01T18:00', pri: '高', std: '联调通过：出测试报告' });
    expect(r).toMatchObject({ ok: true, toast: '✅ 已提交' });
    const item = c.repo.getItem(1)!;
    expect(item).toMatchObject({ kind: 'request', title: '官网改版 接口联调', state: 'pending', initiatorId: A.id });
    expect(new Date(item.dueAt!).toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(c.repo.people(1).map((p) => [p.role, p.userId])).toEqual([['contact', B.id], ['contact', C.id]]);
    // The same confirmation cards as the typed command: one per contact.
    expect(c.cardFor('需求确认', B).card.buttons.some((b) => b.for === B.id)).toBe(true);
    expect(c.cardFor('需求确认', C).card.buttons.some((b) => b.for === C.id)).toBe(true);
    // A resent callback of the same submit acts once.
    await c.click(A, form, '提交', { title: '官网改版 接口联调', to: `${B.id},${C.id}`, due: '2026-12-01T18:00', pri: '高', std: '联调通过：出测试报告' });
    expect(c.repo.listItems('sandbox:g1').filter((i) => i.kind === 'request')).toHaveLength(1);
  });

  it('a missing required field or a bad value is answered on the card, and nothing is created', async () => {
    const c = new Conversation();
    await c.say(A, '/需求');
    const form = formOf(c);
    expect((await c.click(A, form, '提交', { title: '接口联调', due: '2026-12-01T18:00' })).toast).toBe('❌ 请填写：对接人');
    expect((await c.click(A, form, '提交', { title: '接口联调', to: B.id, due: '下下下个月' })).toast).toContain('无法识别的时间');
    expect((await c.click(B, form, '提交', { title: '接口联调', to: B.id, due: '2026-12-01T18:00' })).toast).toContain('仅限 张三 填写此表单');
    expect(c.repo.listItems('sandbox:g1')).toEqual([]);
    // The card is not replaced: what was filled in stays for another try.
    expect(c.platform.sent.filter((s) => s.msg.body.type === 'card')).toHaveLength(1);
  });

  it('/问题, /任务 and /反馈 have forms too; the picked people are real mentions', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 to:@李四 截止:2026-12-04');
    await c.say(A, '/问题');
    await c.click(A, c.card('登记问题'), '提交', { request: '#1', text: '支付回调超时：偶发', sev: '重要', owner: C.id, due: '2026-12-01T18:00' });
    expect(c.repo.getItem(2)).toMatchObject({ kind: 'issue', title: '支付回调超时：偶发', ownerId: C.id, parentId: 1 });
    await c.say(A, '/任务');
    await c.click(A, c.card('分解任务'), '提交', { request: '1', title: '写接口文档', owner: B.id, due: '2026-11-30T12:00' });
    expect(c.repo.getItem(3)).toMatchObject({ kind: 'task', title: '写接口文档', ownerId: B.id, parentId: 1 });
    await c.say(A, '/反馈');
    await c.click(A, c.card('提出问题'), '提交', { to: B.id, question: '测试账号在哪里？', urgent: '紧急' });
    expect(c.repo.getItem(4)).toMatchObject({ kind: 'ask', urgent: true, parentId: 1 });
    expect(c.repo.people(4).map((p) => p.userId)).toEqual([B.id]);
  });
});
