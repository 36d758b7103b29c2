// A problem's response clock pauses while it waits on its initiator (需补充信息) and resumes, with
// the working time it had left, when the initiator answers — the same rule as a question's.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { compliance } from '../../src/engine/sla.ts';
import { A, B, C, Conversation, bodyText } from './driver.ts';

const sh = (local: string) => new Date(`${local}+08:00`).toISOString();
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const reminderText = (texts: string[]) => texts.filter((t) => t.includes('协作提醒')).join('\n');

describe('pausing a problem’s clock while it waits on the initiator', () => {
  it('/补充 by the owner pauses it, the initiator’s answer resumes it, and the breach time moves by the pause', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/问题 支付回调超时 sev:一般 @李四 截止:2027-03-31');
    // 1wd raised after the day began: Tuesday is the working day, to its end.
    expect(iso(c.repo.getItem(1)!.clockAt)).toBe(sh('2026-11-24T18:00:00'));

    // Monday 14:00: 13 working hours are left (4 on Monday, 9 on Tuesday).
    c.clock.set('2026-11-23T14:00:00+08:00');
    const refused = await c.say(C, '/补充 #1 哪个环境？');
    expect(refused.map((s) => bodyText(s.msg.body)).join('\n')).toContain('无权操作');
    await c.say(B, '/补充 #1 哪个环境？');
    expect(c.state(1)).toBe('info');
    expect(c.repo.getItem(1)!.clockAt).toBeNull();
    const card = c.card('【问题】#1');
    expect(card.card.header.tag).toBe('已暂停');
    expect(card.card.fields.map((f) => `${f.label}:${f.value}`).join('\n')).toContain('已暂停（自 2026-11-23 14:00 周一 起');
    expect(card.card.buttons.map((b) => [b.label, b.for])).toEqual([['补充信息', A.id]]);

    // Nothing is pinged while paused, not even past the old breach time.
    expect(reminderText(await c.at('2026-11-24T18:30:00+08:00'))).toBe('');

    // Wednesday 11:00 the initiator answers on the card: + 13 working hours = Thursday 15:00.
    c.clock.set('2026-11-25T11:00:00+08:00');
    await c.click(A, c.card('【问题】#1'), '补充信息', { answer: '生产环境' });
    expect(c.state(1)).toBe('open');
    expect(iso(c.repo.getItem(1)!.clockAt)).toBe(sh('2026-11-26T15:00:00'));
    expect(c.card('【问题】#1').card.header.tag).toBe('待处理');
    expect(reminderText(await c.at('2026-11-26T15:00:00+08:00'))).toContain('2026-11-26 15:00 周四');

    const shown = (await c.say(A, '/查看 #1')).map((s) => bodyText(s.msg.body)).join('\n');
    expect(shown).toContain('⏸ 2026-11-23 14:00 周一 → 2026-11-25 11:00 周三');
    expect(shown).toContain('需补充信息「哪个环境？」，已补充「生产环境」');
    expect(shown).toContain('暂停时剩余 13 个工作小时');
  });

  it('the paused stretch does not count against the owner in the compliance table', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/问题 支付回调超时 sev:一般 @李四 截止:2027-03-31');
    c.clock.set('2026-11-23T14:00:00+08:00');
    await c.say(B, '/补充 #1 哪个环境？');
    c.clock.set('2026-11-25T11:00:00+08:00');
    await c.say(A, '/补充 #1 生产环境');
    c.clock.set('2026-11-25T12:00:00+08:00');
    await c.say(B, '/进度 #1 20% 已定位');
    const cfg = parseConfig({ log: { level: 'silent' } });
    const t = compliance(c.repo, cfg, new WorkCalendar({ ...cfg.calendar }), new Date(sh('2026-11-23T00:00:00')), new Date(sh('2026-11-30T00:00:00')), c.clock.now());
    // Mon 10:00–14:00 (4 wh) + Wed 11:00–12:00 (1 wh); met, the resumed deadline being Thu 15:00.
    expect({ met: t.total.met, breached: t.total.breached, hours: t.total.medianMs! / 3_600_000 }).toEqual({ met: 1, breached: 0, hours: 5 });
  });
});
