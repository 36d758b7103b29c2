import { describe, expect, it } from 'vitest';
import { type CalendarConfig, DEFAULT_CALENDAR, WorkCalendar } from '../../src/domain/calendar.ts';
import type { HolidaySource } from '../../src/domain/calendar-data.ts';

// The process runs in UTC (vitest.config.ts); every instant below is written with an explicit
// +08:00 or Z so the expectations never depend on the code under test or on the host zone.
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const cal = (over: Partial<CalendarConfig> = {}) => new WorkCalendar({ ...DEFAULT_CALENDAR, ...over });
const c = cal();

// 2026 weekdays for reading the tables: 11-23 Mon, 11-27 Fri, 11-28 Sat, 12-01 Tue;
// 10-01 Thu, 10-10 Sat; 09-20 Sun; 02-14 Sat, 02-28 Sat; 01-04 Sun; 05-09 Sat.

describe('isWorkday', () => {
  it.each([
    ['2026-11-23', true],
    ['2026-11-27', true],
    ['2026-11-28', false],
    ['2026-11-29', false],
  ])('plain week: %s → %s', (day, expected) => {
    expect(c.isWorkday(sh(`${day} 12:00`))).toBe(expected);
    expect(c.isWorkdayOn(day)).toBe(expected);
  });

  it('National Day 2026: 10-01..10-07 off, 10-08/09 on, make-up Saturday 10-10 on, 10-11 off', () => {
    for (let d = 1; d <= 7; d++) expect(c.isWorkdayOn(`2026-10-0${d}`), `10-0${d}`).toBe(false);
    expect(c.isWorkdayOn('2026-10-08')).toBe(true);
    expect(c.isWorkdayOn('2026-10-09')).toBe(true);
    expect(c.isWorkdayOn('2026-10-10')).toBe(true);
    expect(c.isWorkdayOn('2026-10-11')).toBe(false);
  });

  it('Mid-Autumn 2026: Friday 09-25 off, make-up Sunday 09-20 on', () => {
    expect(c.isWorkdayOn('2026-09-25')).toBe(false);
    expect(c.isWorkdayOn('2026-09-20')).toBe(true);
  });

  it('Spring Festival 2026: 02-15..02-23 off, make-up Saturdays 02-14 and 02-28 on', () => {
    for (let d = 15; d <= 23; d++) expect(c.isWorkdayOn(`2026-02-${d}`), `02-${d}`).toBe(false);
    expect(c.isWorkdayOn('2026-02-13')).toBe(true);
    expect(c.isWorkdayOn('2026-02-14')).toBe(true);
    expect(c.isWorkdayOn('2026-02-24')).toBe(true);
    expect(c.isWorkdayOn('2026-02-28')).toBe(true);
  });

  it.each(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'])(
    'every 2026 调休 make-up day is a working day although a weekend: %s',
    (day) => {
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      expect([0, 6]).toContain(weekday);
      expect(c.isWorkdayOn(day)).toBe(true);
    },
  );

  it('New Year 2026: Thursday 01-01 and Friday 01-02 off', () => {
    expect(c.isWorkdayOn('2026-01-01')).toBe(false);
    expect(c.isWorkdayOn('2026-01-02')).toBe(false);
    expect(c.isWorkdayOn('2026-01-05')).toBe(true);
  });

  it('takes the day in Shanghai, not in UTC', () => {
    // Friday 23:59 UTC is already Saturday 07:59 in Shanghai; Sunday 16:30 UTC is Monday 00:30.
    expect(c.isWorkday(new Date('2026-11-27T15:59:00Z'))).toBe(true);
    expect(c.isWorkday(new Date('2026-11-27T16:30:00Z'))).toBe(false);
    expect(c.isWorkday(new Date('2026-11-27T23:59:00Z'))).toBe(false);
    expect(c.isWorkday(new Date('2026-11-29T16:30:00Z'))).toBe(true);
  });
});

describe('localDay and at', () => {
  it('localDay is the Shanghai calendar day', () => {
    expect(c.localDay(new Date('2026-11-27T16:30:00Z'))).toBe('2026-11-28');
    expect(c.localDay(new Date('2026-11-27T15:59:59Z'))).toBe('2026-11-27');
    expect(c.localDay(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });

  it('at is the instant of that wall time in the zone', () => {
    expect(c.at('2026-11-27', '09:00').toISOString()).toBe('2026-11-27T01:00:00.000Z');
    expect(c.at('2026-11-28', '00:30').toISOString()).toBe('2026-11-27T16:30:00.000Z');
    // Another zone, on both sides of its DST change: the zone's rules apply, not the host's.
    const london = cal({ timezone: 'Europe/London' });
    expect(london.at('2026-07-01', '09:00').toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(london.at('2026-12-01', '09:00').toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('rejects an invalid Date instead of computing with NaN', () => {
    expect(() => c.localDay(new Date('nope'))).toThrow(RangeError);
  });
});

describe('isWorkingTime', () => {
  it.each([
    ['2026-11-27 08:59', false],
    ['2026-11-27 09:00', true],
    ['2026-11-27 17:59', true],
    ['2026-11-27 18:00', false],
    ['2026-11-28 10:00', false], // Saturday
    ['2026-10-05 10:00', false], // National Day
    ['2026-10-10 10:00', true], // 调休 Saturday
  ])('%s → %s', (local, expected) => {
    expect(c.isWorkingTime(sh(local))).toBe(expected);
  });

  it('uses Shanghai hours: 01:00 UTC is 09:00 in Shanghai', () => {
    expect(c.isWorkingTime(new Date('2026-11-27T01:00:00Z'))).toBe(true);
    expect(c.isWorkingTime(new Date('2026-11-27T12:00:00Z'))).toBe(false); // 20:00 Shanghai
  });
});

describe('nextWorkingMorning', () => {
  it.each([
    ['2026-11-23 08:00', '2026-11-23 09:00'], // before the morning of a working day: today
    ['2026-11-23 09:00', '2026-11-24 09:00'], // from workStart on: the next working day
    ['2026-11-23 12:00', '2026-11-24 09:00'],
    ['2026-11-27 20:00', '2026-11-30 09:00'], // Friday evening → Monday
    ['2026-09-30 19:00', '2026-10-08 09:00'], // over the National Day week
    ['2026-10-09 19:00', '2026-10-10 09:00'], // into the 调休 Saturday
  ])('%s → %s', (after, expected) => {
    expect(c.nextWorkingMorning(sh(after))).toEqual(sh(expected));
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2026-11-27 17:00', 1, '2026-11-30 17:00'], // Friday + 1 → Monday
    ['2026-11-27 17:00', 0, '2026-11-27 17:00'],
    ['2026-12-01 18:00', -2, '2026-11-27 18:00'], // 2 working days before a Tuesday deadline
    ['2026-11-28 10:00', 1, '2026-11-30 10:00'], // from a Saturday
    ['2026-11-28 10:00', -1, '2026-11-27 10:00'],
    ['2026-09-30 10:00', 1, '2026-10-08 10:00'], // over National Day
    ['2026-09-30 10:00', 3, '2026-10-10 10:00'], // …and onto its 调休 Saturday
    ['2026-10-08 10:00', -1, '2026-09-30 10:00'],
    ['2026-02-13 10:00', 1, '2026-02-14 10:00'], // Spring Festival make-up Saturday
    ['2026-02-13 10:00', 2, '2026-02-24 10:00'],
  ])('%s, %i working days → %s', (from, n, expected) => {
    expect(c.addWorkingDays(sh(from), n)).toEqual(sh(expected));
  });

  it('keeps seconds and milliseconds, and counts Shanghai days across UTC midnight', () => {
    const from = new Date('2026-11-27T16:30:12.345Z'); // Saturday 00:30:12.345 in Shanghai
    expect(c.addWorkingDays(from, 1).toISOString()).toBe('2026-11-29T16:30:12.345Z'); // Monday 00:30
  });

  it('n then −n returns to a working-day start, across a whole year of holidays', () => {
    for (let n = 1; n <= 260; n += 7) {
      const from = sh('2026-01-05 10:00');
      const there = c.addWorkingDays(from, n);
      expect(c.isWorkday(there)).toBe(true);
      expect(c.addWorkingDays(there, -n), `n=${n}`).toEqual(from);
    }
  });

  it('rejects a fractional count', () => {
    expect(() => c.addWorkingDays(sh('2026-11-27 10:00'), 1.5)).toThrow(RangeError);
  });
});

describe('deferForQuiet', () => {
  it.each([
    ['2026-11-27 23:00', '2026-11-30 09:00'], // Friday night → Monday morning
    ['2026-11-27 22:00', '2026-11-30 09:00'], // quiet from 22:00 sharp
    ['2026-11-27 21:59', '2026-11-27 21:59'], // after work but before quiet hours: goes out
    ['2026-11-24 07:30', '2026-11-24 09:00'], // early on a working day → that morning
    ['2026-11-28 10:00', '2026-11-30 09:00'], // Saturday → Monday
    ['2026-10-10 10:00', '2026-10-10 10:00'], // 调休 Saturday within hours → as is
    ['2026-10-10 07:00', '2026-10-10 09:00'], // 调休 Saturday early → that morning
    ['2026-10-03 10:00', '2026-10-08 09:00'], // holiday → first day back
    ['2026-09-20 23:00', '2026-09-21 09:00'], // late on a 调休 Sunday → Monday
  ])('ordinary message at %s goes at %s', (at, expected) => {
    expect(c.deferForQuiet(sh(at), false)).toEqual(sh(expected));
  });

  it('urgent messages are never deferred', () => {
    for (const at of ['2026-11-27 23:00', '2026-11-28 03:00', '2026-10-03 10:00']) {
      expect(c.deferForQuiet(sh(at), true)).toEqual(sh(at));
    }
  });

  it('Shanghai Saturday 00:30 (Friday 16:30 UTC) waits for Monday 09:00', () => {
    expect(c.deferForQuiet(new Date('2026-11-27T16:30:00Z'), false).toISOString()).toBe(
      '2026-11-30T01:00:00.000Z',
    );
  });
});

describe('config overrides', () => {
  it('an extra holiday is a day off that working-day arithmetic skips', () => {
    const k = cal({ extraHolidays: ['2026-11-27'] });
    expect(k.isWorkdayOn('2026-11-27')).toBe(false);
    expect(k.addWorkingDays(sh('2026-11-26 17:00'), 1)).toEqual(sh('2026-11-30 17:00'));
    expect(k.deferForQuiet(sh('2026-11-26 23:00'), false)).toEqual(sh('2026-11-30 09:00'));
  });

  it('an extra workday turns a Saturday into a working day', () => {
    const k = cal({ extraWorkdays: ['2026-11-28'] });
    expect(k.isWorkingTime(sh('2026-11-28 10:00'))).toBe(true);
    expect(k.addWorkingDays(sh('2026-11-27 17:00'), 1)).toEqual(sh('2026-11-28 17:00'));
    expect(k.nextWorkingMorning(sh('2026-11-27 20:00'))).toEqual(sh('2026-11-28 09:00'));
  });

  it('config wins over the package in both directions', () => {
    const k = cal({ extraWorkdays: ['2026-10-05'], extraHolidays: ['2026-10-10'] });
    expect(k.isWorkdayOn('2026-10-05')).toBe(true);
    expect(k.isWorkdayOn('2026-10-10')).toBe(false);
  });

  it('fills in a year the package does not know yet', () => {
    // Hypothetical 2027 entries, as an operator would add them once the State Council publishes.
    expect(c.isWorkdayOn('2027-02-08')).toBe(true); // a Monday: the package has nothing for 2027
    const k = cal({ extraHolidays: ['2027-02-08'], extraWorkdays: ['2027-02-06'] });
    expect(k.isWorkdayOn('2027-02-08')).toBe(false);
    expect(k.isWorkdayOn('2027-02-06')).toBe(true);
  });

  it('rejects a bad configuration listing every problem', () => {
    const make = () =>
      cal({
        timezone: 'Mars/Olympus',
        workStart: '9am',
        extraHolidays: ['2026-02-30', '2026-12-01'],
        extraWorkdays: ['2026-12-01'],
      });
    expect(make).toThrow(/timezone.*workStart.*2026-02-30.*both.*2026-12-01/);
    expect(() => cal({ workStart: '18:00', workEnd: '09:00' })).toThrow(/workEnd must be after workStart/);
  });
});

describe('missingYears', () => {
  // Pinned to lunar-typescript 1.8.6, which has 2026 but not 2027: when an upgrade brings 2027,
  // update these expectations.
  it('reports 2027 in late 2026', () => {
    expect(c.missingYears(sh('2026-11-23 10:00'))).toEqual([2027]);
  });

  it('is silent once config has entries for the year', () => {
    expect(cal({ extraHolidays: ['2027-01-01'] }).missingYears(sh('2026-11-23 10:00'))).toEqual([]);
    expect(cal({ extraWorkdays: ['2027-02-06'] }).missingYears(sh('2026-11-23 10:00'))).toEqual([]);
  });

  it('takes the year in Shanghai and reports both years when neither is known', () => {
    expect(c.missingYears(new Date('2025-12-31T15:59:00Z'))).toEqual([]); // 2025 and 2026 known
    expect(c.missingYears(new Date('2026-12-31T16:30:00Z'))).toEqual([2027, 2028]); // 2027-01-01 00:30
  });

  it('asks the injected holiday source', () => {
    const source: HolidaySource = {
      kind: (day) => (day === '2027-02-08' ? 'off' : undefined),
      hasYear: (year) => year === 2026 || year === 2027,
    };
    const k = new WorkCalendar(DEFAULT_CALENDAR, source);
    expect(k.missingYears(sh('2026-11-23 10:00'))).toEqual([]);
    expect(k.isWorkdayOn('2027-02-08')).toBe(false);
    expect(k.isWorkdayOn('2026-10-05')).toBe(true); // a plain Monday to this source
  });
});
