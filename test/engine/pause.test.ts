// A question's clock pauses while it waits on the requester (「需补充信息」) and resumes, with the
// working time it had left, when the requester answers.

import { describe, expect, it } from 'vitest';
import { bodyText } from './driver.ts';
import { A, B, C, CHAT, Conversation } from './driver.ts';

const sh = (local: string) => new Date(`${local}+08:00`).toISOString();
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function reminderText(texts: string[]): string {
  return texts.filter((t) => t.includes('协作提醒')).join('\n');
}

describe('pausing a question’s clock while it waits on the requester', () => {
  it('/补充 pauses it, nothing is pinged meanwhile, and the answer resumes it with the time it had left', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/反馈 @李四 接口文档什么时候给？');
    // 1wd asked after the day began: Tuesday is the working day, to its end.
    expect(iso(c.repo.getItem(1)!.clockAt)).toBe(sh('2026-11-24T18:00:00'));

    // Monday 14:00: 13 working hours are left (4 on Monday, 9 on Tuesday).
    c.clock.set('2026-11-23T14:00:00+08:00');
    const paused = await c.say(B, '/补充 #1 哪个版本的接口？');
    expect(c.state(1)).toBe('info');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    expect(c.pendingReminders()).toEqual([]);
    const card = c.card('【反馈】#1');
    expect(card.card.header.tag).toBe('已暂停');
    expect(card.card.fields.map((f) => `${f.label}:${f.value}`).join('\n')).toContain('已暂停（自 2026-11-23 14:00 周一 起');
    expect(paused.map((s) => bodyText(s.msg.body)).join('\n')).toContain('哪个版本的接口？');

    // No ping while paused, not even past the old breach time.
    expect(reminderText(await c.at('2026-11-24T18:30:00+08:00'))).toBe('');
    expect(reminderText(await c.at('2026-11-25T09:30:00+08:00'))).toBe('');

    // Only the requester can answer it; someone else is refused.
    c.clock.set('2026-11-25T11:00:00+08:00');
    const refused = await c.say(C, '/补充 #1 v2');
    expect(refused.map((s) => bodyText(s.msg.body)).join('\n')).toContain('无权操作');
    expect(c.state(1)).toBe('info');
    await c.say(A, '/补充 #1 v2.3 的接口');
    expect(c.state(1)).toBe('waiting');
    // Wednesday 11:00 + the 13 working hours left = 7 on Wednesday, 6 on Thursday: Thursday 15:00.
    expect(iso(c.repo.getItem(1)!.clockAt)).toBe(sh('2026-11-26T15:00:00'));
    expect(c.card('【反馈】#1').card.header.tag).toBe('待回复');
    const ping = reminderText(await c.at('2026-11-26T15:00:00+08:00'));
    expect(ping).toContain('已超过回复时限 2026-11-26 15:00 周四');

    // /查看 shows the pause: when, by whom, what was asked and what was supplied.
    const shown = (await c.say(A, '/查看 #1')).map((s) => bodyText(s.msg.body)).join('\n');
    expect(shown).toMatch(/2026-11-23 14:00 周一 .*需补充信息【待回复 → 已暂停】.*哪个版本的接口？/);
    expect(shown).toMatch(/2026-11-25 11:00 周三 .*补充信息【已暂停 → 待回复】.*v2\.3 的接口/);
    expect(shown).toContain('⏸ 2026-11-23 14:00 周一 → 2026-11-25 11:00 周三');
    expect(shown).toContain('暂停时剩余 13 个工作小时');
  });

  it('the card’s 「需补充信息」 button pauses it, and the requester’s 「补充信息」 button resumes it', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/反馈 @李四 测试账号？');
    c.clock.set('2026-11-23T17:00:00+08:00');
    const r = await c.click(B, c.card('【反馈】#1'), '需补充信息', { answer: '哪个环境？' });
    expect(r.ok).toBe(true);
    expect(c.state(1)).toBe('info');
    c.clock.set('2026-11-24T09:00:00+08:00');
    const back = await c.click(A, c.card('【反馈】#1'), '补充信息', { answer: '预发环境' });
    expect(back.ok).toBe(true);
    // Paused Monday 17:00 with 10 working hours left (1 on Monday, 9 on Tuesday); resumed
    // Tuesday 09:00: all of Tuesday and 1 hour of Wednesday.
    expect(iso(c.repo.getItem(1)!.clockAt)).toBe(sh('2026-11-25T10:00:00'));
  });

  it('a threaded reply by the asker on the question card resumes it too', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/反馈 @李四 部署窗口？');
    await c.say(B, '/补充 #1 哪个系统？');
    c.engine.handleMessage({
      platform: 'sandbox',
      chatId: CHAT,
      messageId: 'thread-1',
      sender: A,
      text: '支付系统',
      mentions: [],
      mentionedBot: false,
      replyTo: c.card('【反馈】#1').id,
      receivedAt: c.clock.now(),
    });
    await c.dispatcher.drain();
    expect(c.state(1)).toBe('waiting');
    // Paused and resumed at the same instant: the breach time is unchanged.
    expect(iso(c.repo.getItem(1)!.clockAt)).toBe(sh('2026-11-24T18:00:00'));
  });
});
