import { describe, expect, it } from 'vitest';
import { type CalendarConfig, DEFAULT_CALENDAR, WorkCalendar } from '../../src/domain/calendar.ts';
import {
  addDuration,
  addWorking,
  parseClockDuration,
  subtractDuration,
  subtractWorking,
  workingBetween,
} from '../../src/domain/working-time.ts';

// Instants are written with +08:00; the process runs in UTC (vitest.config.ts), the calendar in
// Asia/Shanghai, so a day boundary in the zone is 16:00 of the day before in the process.
const sh = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const cal = (over: Partial<CalendarConfig> = {}) => new WorkCalendar({ ...DEFAULT_CALENDAR, ...over });
const c = cal();
const lunchCal = cal({ lunch: '12:00-13:30' });
const H = 3_600_000;
const wd = (n: number, k = c) => parseClockDuration(`${n}wd`, k.workdayMs)!;

describe('clock durations', () => {
  it.each([
    ['2h', { kind: 'wall', ms: 2 * H }],
    ['30m', { kind: 'wall', ms: 30 * 60_000 }],
    ['1d', { kind: 'wall', ms: 24 * H }],
    ['1wd', { kind: 'work', ms: 9 * H, days: 1 }],
    ['2wd', { kind: 'work', ms: 18 * H, days: 2 }],
    ['4wh', { kind: 'work', ms: 4 * H }],
    ['0.5wd', { kind: 'work', ms: 4.5 * H }],
    [' 2 WH ', { kind: 'work', ms: 2 * H }],
  ])('%s', (text, expected) => {
    expect(parseClockDuration(text, c.workdayMs)).toEqual(expected);
  });

  it.each(['', '+2h', 'abc', '1w', '2 hours', '-1wd', '999wd'])('rejects %j', (text) => {
    expect(parseClockDuration(text, c.workdayMs)).toBeUndefined();
  });

  it('1wd is one working day minus the lunch break', () => {
    expect(lunchCal.workdayMs).toBe(7.5 * H);
    expect(parseClockDuration('1wd', lunchCal.workdayMs)).toEqual({ kind: 'work', ms: 7.5 * H, days: 1 });
  });

  it('rejects a lunch break outside the working day', () => {
    expect(() => cal({ lunch: '08:00-09:30' })).toThrow(/lunch/);
    expect(() => cal({ lunch: '13:00-12:00' })).toThrow(/lunch/);
    expect(() => cal({ lunch: 'noon' })).toThrow(/lunch/);
  });
});

describe('working-time arithmetic (process TZ UTC, calendar Asia/Shanghai)', () => {
  it('runs in a UTC process', () => {
    expect(new Date('2026-11-23T00:00:00Z').getTimezoneOffset()).toBe(0);
  });

  it.each([
    // [what, start, duration, deadline]
    // Whole working days: the start day counts only if all of it is ahead; the clock ends at workEnd.
    ['a weekend is skipped', '2026-11-27 17:00', '1wd', '2026-11-30 18:00'],
    ['before the working day starts, that day counts', '2026-11-23 06:00', '1wd', '2026-11-23 18:00'],
    ['at 09:00 sharp, that day counts', '2026-11-23 09:00', '1wd', '2026-11-23 18:00'],
    ['a minute into the day, the next day is the first', '2026-11-23 09:01', '1wd', '2026-11-24 18:00'],
    ['on a rest day, the next working day is the first', '2026-11-28 10:00', '2wd', '2026-12-01 18:00'],
    ['half a working day counts exact hours', '2026-11-27 16:00', '0.5wd', '2026-11-30 11:30'],
    ['4 working hours from Friday 16:00', '2026-11-27 16:00', '4wh', '2026-11-30 11:00'],
    ['National Day: 10-01..10-07 are skipped', '2026-09-30 17:00', '1wd', '2026-10-08 18:00'],
    ['a 调休 Saturday (10-10) counts', '2026-10-09 17:00', '1wd', '2026-10-10 18:00'],
    ['a 调休 Saturday (02-14) counts', '2026-02-13 12:00', '1wd', '2026-02-14 18:00'],
    ['the 调休 Sunday 09-20 counts', '2026-09-19 10:00', '2wh', '2026-09-20 11:00'],
    ['Spring Festival 02-15..02-23 skipped', '2026-02-14 17:00', '2wh', '2026-02-24 10:00'],
    // Shanghai midnight is 16:00 UTC of the Sunday before: the zone's day decides.
    ['across the zone day boundary', '2026-11-23 00:30', '1wh', '2026-11-23 10:00'],
    ['a wall clock ignores the calendar', '2026-11-27 17:00', '2h', '2026-11-27 19:00'],
  ])('%s', (_what, start, d, deadline) => {
    expect(addDuration(c, sh(start), parseClockDuration(d, c.workdayMs)!).toISOString()).toBe(sh(deadline).toISOString());
  });

  it('the lunch break does not count', () => {
    expect(addWorking(lunchCal, sh('2026-11-23 11:00'), 2 * H).toISOString()).toBe(sh('2026-11-23 14:30').toISOString());
    expect(addWorking(lunchCal, sh('2026-11-23 12:30'), 1 * H).toISOString()).toBe(sh('2026-11-23 14:30').toISOString());
    expect(addDuration(lunchCal, sh('2026-11-27 17:30'), wd(1, lunchCal)).toISOString()).toBe(sh('2026-11-30 18:00').toISOString());
    expect(addWorking(lunchCal, sh('2026-11-27 17:30'), lunchCal.workdayMs).toISOString()).toBe(sh('2026-11-30 17:30').toISOString());
    expect(subtractWorking(lunchCal, sh('2026-11-23 14:00'), 1 * H).toISOString()).toBe(sh('2026-11-23 11:30').toISOString());
    expect(workingBetween(lunchCal, sh('2026-11-23 11:00'), sh('2026-11-23 14:00'))).toBe(1.5 * H);
    expect(lunchCal.isWorkingTime(sh('2026-11-23 12:45'))).toBe(false);
    expect(c.isWorkingTime(sh('2026-11-23 12:45'))).toBe(true);
  });

  it('working time between two instants skips nights, weekends and holidays', () => {
    expect(workingBetween(c, sh('2026-11-27 17:00'), sh('2026-11-30 10:00'))).toBe(2 * H);
    expect(workingBetween(c, sh('2026-09-30 17:00'), sh('2026-10-08 10:00'))).toBe(2 * H);
    expect(workingBetween(c, sh('2026-11-30 10:00'), sh('2026-11-27 17:00'))).toBe(-2 * H);
    expect(workingBetween(c, sh('2026-11-28 10:00'), sh('2026-11-29 10:00'))).toBe(0);
  });

  it('a heads-up 4 working hours before a Monday 11:00 breach is on Friday 16:00', () => {
    expect(subtractDuration(c, sh('2026-11-30 11:00'), parseClockDuration('4wh', c.workdayMs)!).toISOString()).toBe(sh('2026-11-27 16:00').toISOString());
  });
});

/** A seeded PRNG (mulberry32): the same instants on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('working-time properties over seeded random instants in 2026', () => {
  const from = sh('2026-01-01 00:00').getTime();
  const span = sh('2026-12-20 00:00').getTime() - from;

  for (const [name, k] of [
    ['no lunch', c],
    ['with lunch', lunchCal],
  ] as const) {
    it(`${name}: adding then subtracting working time is the identity inside working hours`, () => {
      const rnd = random(18);
      let checked = 0;
      for (let i = 0; i < 3000 && checked < 400; i++) {
        const t = new Date(from + Math.floor(rnd() * span / 60_000) * 60_000);
        if (!k.isWorkingTime(t)) continue;
        const ms = Math.floor(rnd() * 5 * k.workdayMs / 60_000 + 1) * 60_000;
        const d = addWorking(k, t, ms);
        expect(subtractWorking(k, d, ms).toISOString(), `${t.toISOString()} + ${ms}`).toBe(t.toISOString());
        expect(workingBetween(k, t, d)).toBe(ms);
        checked++;
      }
      expect(checked).toBe(400);
    });

    it(`${name}: a working-time deadline always lands inside working hours`, () => {
      const rnd = random(7);
      for (let i = 0; i < 400; i++) {
        const t = new Date(from + Math.floor(rnd() * span));
        const ms = Math.floor(rnd() * 5 * k.workdayMs) + 1;
        const d = addWorking(k, t, ms);
        // The deadline ends a working minute: the moment just before it is working time.
        expect(k.isWorkingTime(new Date(d.getTime() - 1)), `${t.toISOString()} + ${ms} → ${d.toISOString()}`).toBe(true);
        expect(d.getTime()).toBeGreaterThan(t.getTime());
      }
    });
  }
});
