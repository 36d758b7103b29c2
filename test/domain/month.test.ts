// The last working day of a month on the Chinese calendar: rest days at the month's end are
// skipped, a 调休 (make-up working) day counts, configured holidays count.

import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { lastDayOf, lastWorkingDayOf, monthSpan, nextMonth } from '../../src/domain/month.ts';

const cal = (extra: { extraHolidays?: string[]; extraWorkdays?: string[] } = {}) =>
  new WorkCalendar({ timezone: 'Asia/Shanghai', workStart: '09:00', workEnd: '18:00', quietStart: '22:00', extraHolidays: extra.extraHolidays ?? [], extraWorkdays: extra.extraWorkdays ?? [] });

describe('months on the working calendar', () => {
  it.each([
    ['2026-10', '2026-10-30'], // Oct 31 is a Saturday
    ['2026-02', '2026-02-28'], // Saturday Feb 28 is a 调休 working day
    ['2026-05', '2026-05-29'], // May 30–31 weekend
    ['2026-11', '2026-11-30'], // a Monday
    ['2026-12', '2026-12-31'],
  ])('%s ends its working month on %s', (month, day) => {
    expect(lastWorkingDayOf(cal(), month)).toBe(day);
  });

  it('a holiday from the config on the last weekday moves it back', () => {
    expect(lastWorkingDayOf(cal({ extraHolidays: ['2026-11-30'] }), '2026-11')).toBe('2026-11-27');
  });

  it('month arithmetic across the year end', () => {
    expect(nextMonth('2026-12')).toBe('2027-01');
    expect(lastDayOf('2027-02')).toBe('2027-02-28');
    const span = monthSpan(cal(), '2026-12');
    expect(span.from.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(span.to.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
});
