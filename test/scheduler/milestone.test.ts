import { describe, expect, it } from 'vitest';
import { spreadMinutes } from '../../src/domain/reminders.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';

const MORNING = `09:${String(spreadMinutes(CHAT)).padStart(2, '0')}`;
const sh = (local: string) => new Date(`${local}+08:00`).getTime();

function reminderText(texts: string[]): string {
  return texts.filter((t) => t.includes('协作提醒')).join('\n');
}

/** A request with B as its contact (confirmed), raised on Monday 2026-09-21. */
async function request(): Promise<Conversation> {
  const c = new Conversation('2026-09-21T10:00:00+08:00');
  await c.say(A, '/需求 国庆后上线 协作:@李四 截止:2026-10-30');
  await c.click(B, c.cardFor('需求确认', B), '确认对接');
  return c;
}

function planned(c: Conversation, itemId: number): Array<[string, number]> {
  return c.pendingReminders().filter((r) => r.key.startsWith(`m:${itemId}:`)).map((r) => [r.rule, r.fire_at]);
}

describe('milestones on the working calendar (2026 National Day: Oct 1–7 off, Sat Oct 10 a 调休 working day)', () => {
  // Oct 12 (Mon): 1 working day before is the 调休 Saturday Oct 10; 3 before is Thu Oct 8 (not
  // Fri Oct 9 by calendar days, not the holiday Oct 7 by weekdays, not Sep 30 without the 调休).
  // Oct 9 (Fri): 1 before is Thu Oct 8; 3 before runs back across the holiday to Tue Sep 29.
  it.each([
    ['2026-10-12 10:00', '2026-10-10', '2026-10-08'],
    ['2026-10-09 10:00', '2026-10-08', '2026-09-29'],
  ])('a 重大 milestone at %s: the result reminder on %s, the announcement on %s, each at the morning time', async (when, result, announce) => {
    const c = await request();
    const reply = c.texts(await c.say(A, `/里程碑 #1 联调完成 ${when} 重大`)).join();
    expect(reply).toContain('【重大】里程碑 #2「联调完成」');
    expect(reply).toContain(`（${result}）提交`);
    expect(reply).toContain(`${announce} 09:00（前 3 个工作日）在群里预告`);
    expect(planned(c, 2)).toEqual([
      ['announce', sh(`${announce}T${MORNING}:00`)],
      ['milestone', sh(`${result}T${MORNING}:00`)],
    ]);
    // Nothing the working day before the announcement's morning; the announcement that morning.
    expect(reminderText(await c.at(`${announce}T09:00:00+08:00`))).toBe('');
    const told = reminderText(await c.at(`${announce}T${MORNING}:00+08:00`));
    expect(told).toContain('📢 【重大里程碑】需求 #1「国庆后上线」的 #2「联调完成」将于');
    expect(told).toContain('（3 个工作日后）');
    expect(told).toContain(`<@${A.id}>`);
    expect(told).toContain(`<@${B.id}>`);
    const due = reminderText(await c.at(`${result}T${MORNING}:00+08:00`));
    expect(due).toContain(`🏁 <@${B.id}> 需求 #1「国庆后上线」的里程碑 #2「联调完成」`);
    expect(due).toContain('阶段成果须在今天（前 1 个工作日）提交');
    expect(planned(c, 2)).toEqual([]);
  });

  it('an ordinary milestone is not announced; /查看 lists the milestones; a new date replans them; the request ending stops them', async () => {
    const c = await request();
    await c.say(B, '/里程碑 #1 "接口冻结" 10月12日');
    expect(planned(c, 2)).toEqual([['milestone', sh(`2026-10-10T${MORNING}:00`)]]);
    expect(c.texts(await c.say(C, '/里程碑 #1 评审 10月20日')).join()).toContain('只有发起人或对接人');
    expect(c.texts(await c.say(A, '/里程碑 #1 评审 2026-09-01')).join()).toContain('已过');
    await c.say(A, '/里程碑 #1 验收评审 10月20日 major');
    await c.say(A, '/查看 #1');
    const shown = c.card('【需求】').card.markdown.join('\n');
    expect(shown).toContain('**里程碑**');
    expect(shown).toContain('- #2 接口冻结：2026-10-12 18:00 周一 · 阶段成果 2026-10-10 提交');
    expect(shown).toContain('- #3 验收评审：2026-10-20 18:00 周二 · 【重大】提前 3 个工作日（2026-10-15）预告 · 阶段成果 2026-10-19 提交');
    // The initiator moves a milestone like any deadline: its reminders follow.
    await c.say(A, '/改期 #2 10月13日 reason:接口方延后');
    expect(planned(c, 2)).toEqual([['milestone', sh(`2026-10-12T${MORNING}:00`)]]);
    await c.say(A, '/取消 #1 reason:项目暂停');
    expect(planned(c, 2)).toEqual([]);
    expect(planned(c, 3)).toEqual([]);
  });
});
