// SLA compliance of a seeded week, driven through the real engine: questions answered on time,
// one late, an urgent one on the wall clock, a problem responded to, a question paused while it
// waited on the asker. The expected table is computed by hand below, in working hours
// (09:00–18:00 with a 12:00–13:00 lunch) for the 1wd clocks and wall hours for the urgent one.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import type { ComplianceRow } from '../../src/domain/sla.ts';
import { compliance } from '../../src/engine/sla.ts';
import { A, B, C, CHAT, Conversation } from './driver.ts';

const H = 3_600_000;
const CONFIG = { calendar: { lunch: '12:00-13:00' } };
const cn = (local: string) => `${local}+08:00`;

/** Monday 23 – Wednesday 25 November 2026 (ISO week 2026-W48). */
async function seededWeek(): Promise<Conversation> {
  const c = new Conversation(cn('2026-11-23T10:00:00'), CONFIG);
  await c.say(A, '/反馈 @李四 接口文档什么时候给？'); // #1 → 李四 Mon 15:00
  await c.say(A, '/反馈 @王五 测试环境谁负责？'); // #2 → 王五 Wed 10:00 (late)
  c.clock.set(cn('2026-11-23T11:00:00'));
  await c.say(A, '/反馈 @李四 线上报错了吗？ 紧急'); // #3 → 李四 Mon 12:30 (wall clock)
  c.clock.set(cn('2026-11-23T12:30:00'));
  await c.say(B, '/回复 #3 没有');
  c.clock.set(cn('2026-11-23T15:00:00'));
  await c.say(B, '/回复 #1 周三给');
  c.clock.set(cn('2026-11-24T09:00:00'));
  await c.say(A, '/问题 支付回调超时 sev:一般 @王五 截止:2027-03-31'); // #4 → 王五 responds Tue 17:00
  c.clock.set(cn('2026-11-24T14:00:00'));
  await c.say(A, '/反馈 @李四 验收标准是什么？'); // #5 → paused Tue 16:00–Wed 11:00, answered Wed 15:00
  c.clock.set(cn('2026-11-24T16:00:00'));
  await c.say(B, '/补充 #5 哪个模块？');
  c.clock.set(cn('2026-11-24T17:00:00'));
  await c.say(C, '/进度 #4 30% 已定位');
  c.clock.set(cn('2026-11-25T10:00:00'));
  await c.say(C, '/回复 #2 我负责');
  c.clock.set(cn('2026-11-25T11:00:00'));
  await c.say(A, '/补充 #5 支付模块');
  c.clock.set(cn('2026-11-25T15:00:00'));
  await c.say(B, '/回复 #5 按合同附件');
  return c;
}

function table(c: Conversation) {
  const cfg = parseConfig({ log: { level: 'silent' }, ...CONFIG });
  return compliance(c.repo, cfg, new WorkCalendar({ ...cfg.calendar }), new Date(cn('2026-11-23T00:00:00')), new Date(cn('2026-11-30T00:00:00')), c.clock.now());
}

const pick = (r: ComplianceRow | undefined) => r && { met: r.met, breached: r.breached, median: r.medianMs! / H, p90: r.p90Ms! / H, kind: r.kind };

describe('SLA compliance of a seeded week', () => {
  it('matches the hand computation per person, type, chat and week', async () => {
    const c = await seededWeek();
    expect(c.state(5)).toBe('answered');
    expect(c.state(4)).toBe('working');
    const t = table(c);
    const row = (dim: string, key: string) => pick(t.rows.find((r) => r.dimension === dim && r.key === key));
    // Response times, by hand:
    //   #1 李四 Mon 10:00→15:00: 10–12 + 13–15 = 4 wh, met (due Tue 18:00)
    //   #2 王五 Mon 10:00→Wed 10:00: 7 + 8 + 1 = 16 wh, breached (due Tue 18:00)
    //   #3 李四 urgent Mon 11:00→12:30: 1.5 h wall, met (due 13:00)
    //   #4 王五 problem Tue 09:00→17:00: 3 + 4 = 7 wh, met (due Tue 18:00)
    //   #5 李四 Tue 14:00→16:00 (2 wh), paused to Wed 11:00, →15:00 (1 + 2 wh) = 5 wh, met (resumed with 10 wh left: due Thu 14:00)
    expect(row('person', B.id)).toEqual({ met: 3, breached: 0, median: 4, p90: 5, kind: 'mixed' }); // [1.5, 4, 5]
    expect(row('person', C.id)).toEqual({ met: 1, breached: 1, median: 11.5, p90: 16, kind: 'work' }); // [7, 16]
    expect(row('type', 'ask')).toEqual({ met: 3, breached: 1, median: 4.5, p90: 16, kind: 'mixed' }); // [1.5, 4, 5, 16]
    expect(row('type', 'issue')).toEqual({ met: 1, breached: 0, median: 7, p90: 7, kind: 'work' });
    const all = { met: 4, breached: 1, median: 5, p90: 16, kind: 'mixed' }; // [1.5, 4, 5, 7, 16]
    expect(row('chat', CHAT)).toEqual(all);
    expect(row('week', '2026-W48')).toEqual(all);
    expect(pick(t.total)).toEqual(all);
    expect(t.total.rate).toBe(0.8);
  });

  it('a question still open past its deadline counts as breached; one not yet due is not counted', async () => {
    const c = new Conversation(cn('2026-11-23T10:00:00'), CONFIG);
    await c.say(A, '/反馈 @李四 还没回复的问题'); // due Tue 18:00, never answered
    c.clock.set(cn('2026-11-25T10:00:00'));
    await c.say(A, '/反馈 @王五 刚问的问题'); // due Thu 18:00
    const t = table(c);
    expect({ met: t.total.met, breached: t.total.breached, median: t.total.medianMs }).toEqual({ met: 0, breached: 1, median: undefined });
    expect(t.rows.find((r) => r.dimension === 'person')?.key).toBe(B.id);
  });
});
