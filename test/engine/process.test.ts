import { describe, expect, it, vi } from 'vitest';
import { ASK_TRANSITIONS, ISSUE_TRANSITIONS, MINUTES_TRANSITIONS, TASK_TRANSITIONS } from '../../src/domain/item.machines.ts';
import { A, B, C, CHAT, Conversation, bodyText } from './driver.ts';

const all = (c: Conversation) => c.platform.sent.map((s) => bodyText(s.msg.body)).join('\n');

describe('questions (反馈)', () => {
  it('clock from config; answered by /回复; only the asked may answer', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00', { clocks: { ordinary: '8h', urgent: '30m' } });
    await c.say(A, '/反馈 @李四 接口文档什么时候给？');
    const ask = c.repo.getItem(1)!;
    expect(ask).toMatchObject({ kind: 'ask', state: 'waiting', urgent: false });
    expect(ask.clockAt! - ask.createdAt).toBe(8 * 3600_000);
    const card = c.card('【反馈】');
    expect(card.card.fields.map((f) => f.value).join()).toContain(`<@${B.id}>`);
    expect(c.texts(await c.say(C, '/回复 #1 我来答'))).toEqual([expect.stringContaining('无权操作')]);
    expect(c.state(1)).toBe('waiting');
    await c.say(B, '/回复 #1 周三前提供');
    expect(c.state(1)).toBe('answered');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    expect(c.platform.cards.get(card.id)!.markdown.join()).toContain('周三前提供');
    expect(c.texts(await c.say(B, '/回复 #1 再答一次'))).toEqual([expect.stringContaining('已回复')]);
  });

  it('urgent asks run on the urgent clock', async () => {
    const c = new Conversation();
    await c.say(A, '/反馈 @李四 线上告警 紧急');
    const ask = c.repo.getItem(1)!;
    expect(ask.urgent).toBe(true);
    expect(ask.clockAt! - ask.createdAt).toBe(2 * 3600_000);
    expect(c.card('【紧急】【反馈】').card.header.color).toBe('red');
  });

  it('a card button with an answer, and a threaded reply, both answer', async () => {
    const c = new Conversation();
    await c.say(A, '/反馈 @李四 @王五 谁来评审？');
    const card = c.card('【反馈】');
    expect((await c.click(A, card, '回复', { answer: '我自己答' })).ok).toBe(false); // the asker is not asked
    expect((await c.click(C, card, '回复', { answer: '' })).toast).toContain('请填写回复内容');
    expect((await c.click(C, card, '回复', { answer: '我来评审' })).ok).toBe(true);
    expect(c.state(1)).toBe('answered');

    await c.say(A, '/反馈 @李四 测试环境地址？');
    const q2 = c.card('#2');
    // B replies in the thread of the question card, without any command.
    c.engine.handleMessage({
      platform: 'sandbox',
      chatId: CHAT,
      messageId: 'reply-1',
      sender: B,
      text: 'http://test.example.com',
      mentions: [],
      mentionedBot: false,
      replyTo: q2.id,
      receivedAt: c.clock.now(),
    });
    await c.dispatcher.drain();
    expect(c.state(2)).toBe('answered');
    expect(c.repo.getItem(2)!.data.answer).toBe('http://test.example.com');
  });

  it('the asker may cancel and reopen; others may not', async () => {
    const c = new Conversation();
    await c.say(A, '/反馈 @李四 问题');
    expect(c.texts(await c.say(B, '/取消 #1'))).toEqual([expect.stringContaining('无权操作')]);
    await c.say(A, '/取消 #1');
    expect(c.state(1)).toBe('cancelled');
    await c.say(A, '/重开 #1');
    expect(c.state(1)).toBe('waiting');
    expect(c.repo.getItem(1)!.clockAt).not.toBeNull();
  });
});

describe('tasks (任务)', () => {
  it('breakdown under a request, progress with risk, submit → acceptance card to the assigner, reject and accept', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:周五');
    await c.say(A, '/任务 #1 登录接口 @李四 with:@王五 截止:周四 标准:联调通过');
    const task = c.repo.getItem(2)!;
    expect(task).toMatchObject({ kind: 'task', state: 'todo', ownerId: B.id, parentId: 1, initiatorId: A.id });
    expect(c.repo.people(2).map((p) => [p.role, p.userId])).toEqual([
      ['owner', B.id],
      ['reviewer', A.id],
      ['helper', C.id],
    ]);
    expect(c.texts(await c.say(A, '/进度 #2 50%'))).toEqual([expect.stringContaining('无权操作')]);
    await c.say(C, '/进度 #2 30% 接口字段已对齐'); // a helper may update, with a comment
    expect(c.repo.history(2).at(-1)!.detail).toMatchObject({ pct: 30, text: '接口字段已对齐' });
    const before = c.repo.getItem(2)!.version;
    const update = vi.spyOn(c.repo, 'updateItem');
    const risk = c.texts(await c.say(B, '/进度 #2 60% risk:第三方延迟 plan:先用模拟数据'));
    expect(c.state(2)).toBe('doing');
    // doing → doing sets only what changed (not the indexed state column), and is still a new version
    expect(update.mock.calls.map(([, , patch]) => Object.keys(patch))).toEqual([['data']]);
    update.mockRestore();
    expect(c.repo.getItem(2)!.version).toBe(before + 1);
    expect(risk.join()).toContain(`<@${A.id}>`);
    expect(risk.join()).toContain('第三方延迟');
    expect(c.repo.getItem(2)!.data).toMatchObject({ pct: 60, risk: '第三方延迟', plan: '先用模拟数据' });
    expect(c.texts(await c.say(C, '/提交 #2 完成'))).toEqual([expect.stringContaining('无权操作')]); // helpers do not deliver
    await c.say(B, '/提交 #2 登录接口已上线 evidence:https://example.com/doc');
    expect(c.state(2)).toBe('review');
    const review = c.cardFor('任务验收', A);
    expect((await c.click(B, review, '验收通过')).ok).toBe(false);
    // A rejection names a new date, and the task is due then.
    expect(await c.click(A, review, '驳回', { reason: '缺少单测' })).toMatchObject({ ok: false, toast: expect.stringContaining('新期限') });
    expect(await c.click(A, review, '驳回', { reason: '缺少单测', due: '2026-11-01' })).toMatchObject({ ok: false, toast: expect.stringContaining('已过') });
    expect((await c.click(A, review, '驳回', { reason: '缺少单测', due: '12月2日' })).ok).toBe(true);
    expect(c.state(2)).toBe('doing');
    expect(c.repo.getItem(2)!.dueAt).toBe(new Date('2026-12-02T18:00:00+08:00').getTime());
    await c.say(B, '/提交 #2 补了单测');
    expect((await c.click(A, c.cardFor('任务验收', A), '验收通过')).ok).toBe(true);
    expect(c.state(2)).toBe('done');
  });

  it('a task on a closed request is refused; /关闭 on a task in review accepts it', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 X 协作:@李四 截止:2027-03-31');
    await c.say(A, '/取消 #1');
    expect(c.texts(await c.say(A, '/任务 #1 做点事 @李四 截止:2027-03-31'))).toEqual([expect.stringContaining('已结束')]);
    await c.say(A, '/任务 独立任务 @李四 截止:明天');
    await c.say(B, '/提交 #2 好了');
    await c.say(A, '/关闭 #2');
    expect(c.state(2)).toBe('done');
  });
});

describe('notes and minutes', () => {
  it('each todo clause of a note becomes a task with owner and due', async () => {
    const c = new Conversation();
    const r = await c.say(A, '/记录 与客户确认验收标准 紧急 todo:整理验收清单 @李四 due:明天 todo:发会议邀请 @王五 due:周三');
    const note = c.repo.getItem(1)!;
    expect(note).toMatchObject({ kind: 'note', state: 'logged', urgent: true });
    const tasks = c.repo.childItems(1);
    expect(tasks.map((t) => [t.title, t.ownerId, t.kind])).toEqual([
      ['整理验收清单', B.id, 'task'],
      ['发会议邀请', C.id, 'task'],
    ]);
    expect(new Date(tasks[0]!.dueAt!).toISOString()).toBe('2026-11-24T10:00:00.000Z');
    expect(c.texts(r).join()).toContain('待办 #2');
  });

  it('minutes: decisions become tasks; attendees confirm; the record shows who confirmed', async () => {
    const c = new Conversation();
    await c.say(A, '/纪要 接口联调周会\n地点：3楼会议室\n参会：@李四 @王五\n- 回顾上周进度\n- 完成登录接口联调 @李四 截止:周五\n- 补充压测报告 @王五 截止:下周二');
    const m = c.repo.getItem(1)!;
    expect(m).toMatchObject({ kind: 'minutes', state: 'pending', title: '接口联调周会' });
    expect(m.data.agenda).toEqual(['回顾上周进度']);
    const tasks = c.repo.childItems(1);
    expect(tasks.map((t) => [t.title, t.ownerId])).toEqual([
      ['完成登录接口联调', B.id],
      ['补充压测报告', C.id],
    ]);
    const card = c.card('会议纪要');
    expect(card.card.markdown.join()).toContain('任务 #2');
    expect((await c.click(A, card, '确认纪要')).ok).toBe(false); // not an attendee
    expect((await c.click(B, card, '确认纪要')).ok).toBe(true);
    expect(c.state(1)).toBe('pending');
    expect((await c.click(B, card, '确认纪要')).toast).toContain('已处理');
    expect((await c.click(C, card, '确认纪要')).ok).toBe(true);
    expect(c.state(1)).toBe('confirmed');
    expect(c.platform.cards.get(card.id)!.markdown.join()).toContain(`已确认：<@${B.id}> <@${C.id}>`);
  });
});

describe('problems (问题) to closure', () => {
  it('open → working → verify → closed, with reopen and the actual resolution time', async () => {
    const c = new Conversation();
    await c.say(A, '/问题 支付回调超时 sev:紧急 @李四 due:后天 impact:影响验收');
    const p = c.repo.getItem(1)!;
    expect(p).toMatchObject({ kind: 'issue', state: 'open', urgent: true, ownerId: B.id });
    expect(p.clockAt! - p.createdAt).toBe(2 * 3600_000); // 紧急 → urgent clock
    expect(c.card('问题').card.header.color).toBe('red');
    expect(c.texts(await c.say(C, '/解决 #1 我修好了'))).toEqual([expect.stringContaining('无权操作')]);
    await c.say(B, '/进度 #1 50%');
    expect(c.state(1)).toBe('working');
    c.clock.advance(3600_000);
    await c.say(B, '/解决 #1 已扩容回调队列 evidence:https://example.com/report');
    expect(c.state(1)).toBe('verify');
    expect(c.repo.getItem(1)!.data.resolvedAt).toBe(c.clock.now().getTime());
    const card = c.card('问题');
    expect((await c.click(B, card, '验证通过')).ok).toBe(false);
    expect((await c.click(A, card, '重开', {})).toast).toContain('请填写重开原因');
    expect((await c.click(A, card, '重开', { reason: '高峰期仍超时' })).ok).toBe(true);
    expect(c.state(1)).toBe('working');
    expect(all(c)).toContain('高峰期仍超时');
    await c.say(B, '/解决 #1 加了重试');
    expect((await c.click(A, c.card('问题'), '验证通过')).ok).toBe(true);
    expect(c.state(1)).toBe('closed');
  });
});

describe('changes with a record', () => {
  it('/改期 needs the initiator and records the reason; /转交 changes the owner and tells them', async () => {
    const c = new Conversation();
    await c.say(A, '/任务 写文档 @李四 截止:周五');
    expect(c.texts(await c.say(B, '/改期 #1 下周一 reason:太忙'))).toEqual([expect.stringContaining('无权操作')]);
    const r = c.texts(await c.say(A, '/改期 #1 下周一 reason:等待评审'));
    expect(r.join()).toContain('等待评审');
    expect(r.join()).toContain(`<@${B.id}>`);
    expect(new Date(c.repo.getItem(1)!.dueAt!).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    const t = c.texts(await c.say(B, '/转交 #1 @王五 reason:休假'));
    expect(t.join()).toContain(`<@${C.id}>`);
    expect(c.repo.getItem(1)!.ownerId).toBe(C.id);
    expect(c.repo.history(1).map((h) => h.action)).toEqual(['create', 'due', 'assign']);
    expect(c.repo.history(1)[1]!.detail).toMatchObject({ reason: '等待评审' });
  });

  it('/对接 adds a sub-contact with a duty, and a main contact who must confirm while confirmations are open', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 联调 协作:@李四 截止:2027-03-31');
    await c.say(A, '/对接 #1 @王五 role:子 duty:负责接口文档');
    expect(c.repo.people(1).find((p) => p.userId === C.id)).toMatchObject({ role: 'sub', duty: '负责接口文档' });
    await c.say(A, '/对接 #1 @张三');
    expect(c.repo.people(1).find((p) => p.userId === A.id && p.role === 'contact')).toMatchObject({ status: 'pending' });
    await c.click(B, c.cardFor('需求确认', B), '确认对接');
    expect(c.state(1)).toBe('pending'); // 张三 has not confirmed yet
  });

  it('/复盘 only on a finished request; /设置 gives requests a seed-style number', async () => {
    const c = new Conversation();
    await c.say(A, '/设置 project:官网改版 dept:技术部');
    await c.say(A, '/需求 联调 协作:@李四 截止:2027-03-31');
    expect(c.repo.getItem(1)!.seqNo).toBe('2026-技-001');
    expect(c.texts(await c.say(A, '/复盘 #1 good:快'))).toEqual([expect.stringContaining('尚未完成')]);
    await c.click(B, c.cardFor('需求确认', B), '确认对接');
    await c.say(B, '/提交 #1 报告');
    await c.click(A, c.cardFor('成果验收', A), '验收通过');
    await c.say(A, '/复盘 #1 good:对接及时 bad:需求变更多 improve:评审前置');
    expect(c.repo.getItem(1)!.data.retro).toMatchObject({ good: '对接及时', bad: '需求变更多', improve: '评审前置' });
    await c.say(A, '/需求 第二个 协作:@李四 截止:2027-03-31');
    expect(c.repo.getItem(2)!.seqNo).toBe('2026-技-002');
  });
});

describe('queries', () => {
  it('/列表 filters and /周报 summarises a seeded project', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/需求 接口联调 协作:@李四 截止:周五');
    await c.say(A, '/任务 #1 登录接口 @李四 截止:周二');
    await c.say(A, '/任务 #1 支付接口 @王五 截止:周三');
    await c.say(A, '/问题 回调超时 sev:重要 @王五 截止:2027-03-31');
    await c.say(A, '/问题 文案错误 sev:一般 @李四 截止:2027-03-31');
    await c.say(B, '/提交 #2 完成');
    await c.say(A, '/关闭 #2');
    c.clock.set('2026-11-25T19:00:00+08:00'); // task #3 (due Wednesday 18:00) is now overdue
    const mine = c.texts(await c.say(C, '/列表 我的')).join();
    expect(mine).toContain('支付接口');
    expect(mine).not.toContain('登录接口');
    const overdue = c.texts(await c.say(A, '/列表 逾期')).join();
    expect(overdue).toContain('#3');
    expect(overdue).toContain('⏰逾期');
    const report = (await c.say(A, '/周报')).find((s) => s.msg.body.type === 'card')!;
    const text = bodyText(report.msg.body);
    expect(text).toContain('#1 接口联调** 【待确认】〔跨部门·需求确认〕 任务 1/2 完成');
    expect(text).toContain('紧急 0 · 重要 1 · 一般 1');
    expect(text).toContain('**已逾期**');
    expect(text).toContain('支付接口');
    expect(text).toContain('**未来 7 天截止**');
  });
});

describe('transition tables of the other kinds', () => {
  it.each([
    ['task', TASK_TRANSITIONS],
    ['ask', ASK_TRANSITIONS],
    ['issue', ISSUE_TRANSITIONS],
    ['minutes', MINUTES_TRANSITIONS],
  ] as const)('%s: every row names who may act and leads to a known state', (_kind, table) => {
    for (const row of table) {
      expect(row.who.length).toBeGreaterThan(0);
      expect(row.from.length).toBeGreaterThan(0);
      expect(typeof row.to).toBe('string');
    }
  });
});
