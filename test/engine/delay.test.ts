import { describe, expect, it } from 'vitest';
import { A, B, C, Conversation } from './driver.ts';

const sh = (local: string) => new Date(`${local}+08:00`).getTime();
const OLD = sh('2026-12-01T18:00:00');
const NEW = sh('2026-12-08T18:00:00');

/** A assigns B a task due 12-01, with C helping; B files a 延期说明 to 12-08. */
async function filed(): Promise<Conversation> {
  const c = new Conversation('2026-11-23T10:00:00+08:00');
  await c.say(A, '/任务 登录接口 @李四 with:@王五 截止:12月1日');
  const sent = c.texts(await c.say(B, '/延期 #1 12月8日 原因:第三方接口延迟交付 计划:先用模拟数据联调，接口到位后一天内切换'));
  expect(sent.join()).toContain('已请 <@sandbox:a> 审批');
  expect(sent.join()).toContain('批准前截止时间仍为 2026-12-01 18:00');
  return c;
}

function deadlineKeys(c: Conversation): string[] {
  return c.pendingReminders().filter((r) => r.key.startsWith('d:1:')).map((r) => r.key);
}

describe('延期说明', () => {
  it('is refused: the date stays, the reminders stay, the owner is told why', async () => {
    const c = await filed();
    const keys = deadlineKeys(c);
    expect(keys.every((k) => k.startsWith(`d:1:${OLD}:`))).toBe(true);
    const card = c.cardFor('【延期说明】', A);
    expect(card.card.buttons.map((b) => [b.label, b.for])).toEqual([['批准延期', A.id], ['拒绝', A.id]]);
    expect(card.card.fields.find((f) => f.label === '延期原因')?.value).toBe('第三方接口延迟交付');

    // A refusal needs a reason.
    const bare = await c.click(A, card, '拒绝', { reason: '' });
    expect(bare).toMatchObject({ ok: false, toast: expect.stringContaining('拒绝原因') });
    const before = c.platform.sent.length;
    const refused = await c.click(A, card, '拒绝', { reason: '客户验收日期不能变' });
    expect(refused.ok).toBe(true);
    expect(c.repo.getItem(1)!.dueAt).toBe(OLD);
    expect(deadlineKeys(c)).toEqual(keys);
    const told = c.texts(c.platform.sent.slice(before)).join('\n');
    expect(told).toContain(`<@${B.id}> 延期说明第 1 号未获 <@${A.id}> 批准：客户验收日期不能变`);
    expect(told).toContain('截止时间仍为 2026-12-01 18:00');
    // The card shows the answer and has no buttons left; a second click answers nothing.
    expect(c.platform.cards.get(card.id)!.buttons).toEqual([]);
    expect(c.platform.cards.get(card.id)!.markdown.join()).toContain('未批准');
    expect((await c.click(A, card, '批准延期')).ok).toBe(false);
    expect(c.repo.getItem(1)!.dueAt).toBe(OLD);
    const audit = c.repo.history(1).find((h) => h.action === 'delay_no')!;
    expect(audit.detail).toMatchObject({ reason: '客户验收日期不能变', delayReason: '第三方接口延迟交付', plan: '先用模拟数据联调，接口到位后一天内切换' });
  });

  it('is approved: the date moves, the reminders are replanned, the people affected are told; only the initiator counts', async () => {
    const c = await filed();
    const card = c.cardFor('【延期说明】', A);
    // Another person's click and command change nothing.
    const other = await c.click(C, card, '批准延期');
    expect(other).toMatchObject({ ok: false, toast: expect.stringContaining('仅限') });
    expect(c.texts(await c.say(C, '/延期 #1 批准')).join()).toContain('只有发起人 <@sandbox:a> 可以审批');
    expect(c.texts(await c.say(B, '/延期 #1 批准')).join()).toContain('无权操作');
    expect(c.repo.getItem(1)!.dueAt).toBe(OLD);

    const before = c.platform.sent.length;
    const ok = await c.click(A, card, '批准延期');
    expect(ok).toMatchObject({ ok: true, toast: expect.stringContaining('2026-12-08 18:00') });
    expect(c.repo.getItem(1)!.dueAt).toBe(NEW);
    const keys = deadlineKeys(c);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`d:1:${NEW}:`))).toBe(true);
    const told = c.texts(c.platform.sent.slice(before)).join('\n');
    expect(told).toContain('截止时间由 2026-12-01 18:00 周二 改为 2026-12-08 18:00 周二');
    expect(told).toContain('原因：第三方接口延迟交付；调整计划：先用模拟数据联调');
    expect(told).toContain(`<@${B.id}>`);
    expect(told).toContain(`<@${C.id}>`);
    const audit = c.repo.history(1).find((h) => h.action === 'delay_ok')!;
    expect(audit).toMatchObject({ actorId: A.id, detail: expect.objectContaining({ from: OLD, newDue: NEW, reason: '第三方接口延迟交付', plan: '先用模拟数据联调，接口到位后一天内切换' }) });
  });

  it('is answered by command on a platform without buttons, and shown on /查看 while it waits', async () => {
    const c = await filed();
    await c.say(B, '/查看 #1');
    const shown = c.card('【任务】').card.markdown.join('\n');
    expect(shown).toContain('**延期说明**');
    expect(shown).toContain('第 1 号 ⏳ 待审批');
    expect(shown).toContain('2026-12-01 18:00 周二 → 2026-12-08 18:00 周二');
    // The history names the note's reason, plan and the date asked for.
    expect(shown).toContain('提交延期说明 原因：第三方接口延迟交付；申请改为：2026-12-08 18:00 周二；计划：先用模拟数据联调');
    // A second note waits until the first is answered.
    expect(c.texts(await c.say(B, '/延期 #1 12月9日 原因:又晚了 计划:加班')).join()).toContain('仍待 <@sandbox:a> 审批');
    expect(c.texts(await c.say(A, '/延期 #1 拒绝')).join()).toContain('须写明原因');
    expect(c.texts(await c.say(A, '/延期 #1 批准')).join()).toContain('已批准');
    expect(c.repo.getItem(1)!.dueAt).toBe(NEW);
    // The card drawn for it no longer asks.
    expect(c.platform.cards.get(c.card('【延期说明】').id)!.buttons).toEqual([]);
  });

  it('is filed only by the owner, for a later time than now; an earlier date is an adjustment (调整)', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/任务 登录接口 @李四 截止:12月1日');
    expect(c.texts(await c.say(C, '/延期 #1 12月8日 原因:忙 计划:加班')).join()).toContain('只有责任人 <@sandbox:b> 可以');
    expect(c.texts(await c.say(A, '/延期 #1 12月8日 原因:忙 计划:加班')).join()).toContain('/改期');
    expect(c.texts(await c.say(B, '/延期 #1 2026-11-20 原因:忙 计划:加班')).join()).toContain('已过');
    expect(c.texts(await c.say(B, '/延期 #1 12月8日 原因:忙')).join()).toContain('缺少调整计划');
    expect(c.texts(await c.say(B, '/延期 #1 11月27日 原因:提前完成 计划:提前联调')).join()).toContain('调整：');
    expect(c.card('【延期说明】').card.fields.map((f) => f.label)).toContain('调整至');
    expect(c.repo.history(1).filter((h) => h.action === 'delay')).toHaveLength(1);
  });

  it("on a request is filed by a contact; approving it moves the tasks' milestone reminder too", async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月3日');
    await c.click(B, c.cardFor('需求确认', B), '确认对接');
    await c.say(A, '/任务 #1 登录接口 @王五 截止:12月5日');
    const milestone = () => c.pendingReminders().filter((r) => r.rule === 'milestone').map((r) => r.key);
    expect(milestone()).toEqual([`m:2:${sh('2026-12-03T18:00:00')}`]);
    expect(c.texts(await c.say(C, '/延期 #1 12月10日 原因:忙 计划:加班')).join()).toContain('只有对接人 <@sandbox:b> 可以');
    await c.say(B, '/延期 #1 12月10日 reason:客户补充需求 plan:分两期交付');
    await c.click(A, c.cardFor('【延期说明】', A), '批准延期');
    expect(c.repo.getItem(1)!.dueAt).toBe(sh('2026-12-10T18:00:00'));
    expect(milestone()).toEqual([`m:2:${sh('2026-12-10T18:00:00')}`]);
  });
});
