// A month's archive: its signed link carries the month (never together with an item), its name is
// 部门-月份-主题, and it holds the items created or changed that month only.

import { describe, expect, it } from 'vitest';
import { buildArchive, monthStem } from '../../src/export/archive.ts';
import { signLink, verifyLink } from '../../src/export/links.ts';
import { A, Conversation } from '../engine/driver.ts';

const SECRET = Buffer.alloc(32, 9);
const EXP = Date.parse('2026-11-07T00:00:00Z');

describe('the month archive', () => {
  it('signs and verifies a month link; an item and a month together are refused', () => {
    const p = { chatId: 'sandbox:g1', month: '2026-10', format: 'xlsx' as const, exp: EXP };
    expect(verifyLink(SECRET, signLink(SECRET, p), EXP - 1)).toEqual(p);
    expect(() => signLink(SECRET, { ...p, itemId: 3 })).toThrow();
    expect(() => signLink(SECRET, { ...p, month: '2026-13' })).toThrow();
  });

  it('is named 部门-月份-主题, or 月份-主题 without a department', () => {
    expect(monthStem({ chat: { dept: '技术部' } as never, project: '双十一大促' }, '2026-11')).toBe('技术部-2026-11-双十一大促');
    expect(monthStem({ chat: { dept: null } as never, project: '双十一大促' }, '2026-11')).toBe('2026-11-双十一大促');
    expect(monthStem({ chat: { dept: '技术/研发' } as never, project: 'a:b' }, '2026-11')).toBe('技术_研发-2026-11-a_b');
  });

  it('holds the items created or changed in the month', async () => {
    const c = new Conversation('2026-09-28T10:00:00+08:00');
    await c.say(A, '/设置 project:双十一大促 dept:技术部');
    await c.say(A, '/需求 九月需求 to:@李四 截止:2026-09-30'); // #1: September only
    await c.say(A, '/需求 跨月需求 to:@李四 截止:2026-10-30'); // #2: changed in October
    c.clock.set('2026-10-12T10:00:00+08:00');
    await c.say(A, '/改期 #2 2026-11-06 reason:等待接口');
    await c.say(A, '/需求 十月需求 to:@李四 截止:2026-10-30'); // #3
    c.clock.set('2026-11-02T10:00:00+08:00');
    await c.say(A, '/需求 十一月需求 to:@李四 截止:2026-11-30'); // #4
    const file = await buildArchive(c.db, { chatId: 'sandbox:g1', month: '2026-10', format: 'md', timezone: 'Asia/Shanghai', now: c.clock.now() });
    expect(file.filename).toBe('技术部-2026-10-双十一大促.md');
    const md = file.body.toString('utf8');
    expect(md).toContain('双十一大促 2026-10 月度归档');
    expect(md).toContain('跨月需求');
    expect(md).toContain('十月需求');
    expect(md).not.toContain('九月需求');
    expect(md).not.toContain('十一月需求');
  });
});
