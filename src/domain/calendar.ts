// The Chinese working calendar: which days are working days (weekends and statutory holidays
// off, 调休 make-up days on, company config over both), working hours, quiet hours and
// "N working days" arithmetic. Pure: every instant comes in as an argument, nothing reads the
// clock, and all wall-clock reasoning happens in the configured zone, never the process's.

import { TZDate } from '@date-fns/tz';
import { type HolidaySource, lunarHolidaySource } from './calendar-data.ts';
import { isTimeZone, wallClock } from './wall-clock.ts';

export interface CalendarConfig {
  /** IANA zone, e.g. 'Asia/Shanghai'. */
  timezone: string;
  /** 'HH:mm' — start of the working day. */
  workStart: string;
  /** 'HH:mm' — end of the working day (exclusive). */
  workEnd: string;
  /** 'HH:mm' — from here until the next working morning, non-urgent messages wait. */
  quietStart: string;
  /** 'YYYY-MM-DD' days off the package does not know (company days off, next year's holidays). */
  extraHolidays: string[];
  /** 'YYYY-MM-DD' make-up working days (调休) the package does not know. */
  extraWorkdays: string[];
  /** 'HH:mm-HH:mm' inside the working day that is not working time (no clock runs then). */
  lunch?: string;
}

/** A stretch of working time on one day: [start, end) in epoch ms. */
export interface Segment {
  start: number;
  end: number;
}

export const DEFAULT_CALENDAR: CalendarConfig = {
  timezone: 'Asia/Shanghai',
  workStart: '09:00',
  workEnd: '18:00',
  quietStart: '22:00',
  extraHolidays: [],
  extraWorkdays: [],
};

/** A longer run of days off than this means the configuration is broken, not a holiday. */
const MAX_SCAN_DAYS = 366 * 10;

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const SPAN_RE = /^(([01]\d|2[0-3]):[0-5]\d)-(([01]\d|2[0-3]):[0-5]\d)$/;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export class WorkCalendar {
  private readonly tz: string;
  private readonly workStart: string;
  private readonly workEnd: string;
  private readonly quietStart: string;
  private readonly extraHolidays: ReadonlySet<string>;
  private readonly extraWorkdays: ReadonlySet<string>;
  /** The day's working stretches as [from, until) wall times: the lunch break splits the day in two. */
  private readonly stretches: ReadonlyArray<readonly [string, string]>;

  /** Throws listing every problem: a bad calendar is a configuration error that stops start-up. */
  constructor(
    cfg: CalendarConfig,
    private readonly source: HolidaySource = lunarHolidaySource(),
  ) {
    const issues = configIssues(cfg);
    if (issues.length > 0) throw new Error(`invalid calendar config: ${issues.join('; ')}`);
    this.tz = cfg.timezone;
    this.workStart = cfg.workStart;
    this.workEnd = cfg.workEnd;
    this.quietStart = cfg.quietStart;
    this.extraHolidays = new Set(cfg.extraHolidays);
    this.extraWorkdays = new Set(cfg.extraWorkdays);
    const lunch = cfg.lunch ? SPAN_RE.exec(cfg.lunch) : null;
    this.stretches = lunch
      ? [
          [cfg.workStart, lunch[1]!],
          [lunch[3]!, cfg.workEnd],
        ]
      : [[cfg.workStart, cfg.workEnd]];
  }

  /** Working time in one working day ("1wd"): workStart to workEnd minus the lunch break. */
  get workdayMs(): number {
    return this.stretches.reduce((sum, [from, until]) => sum + minutesOf(until) - minutesOf(from), 0) * 60_000;
  }

  /** The working stretches of a 'YYYY-MM-DD' day, in order; none on a rest day. */
  segments(day: string): Segment[] {
    if (!this.isWorkdayOn(day)) return [];
    return this.stretches.map(([from, until]) => ({ start: this.at(day, from).getTime(), end: this.at(day, until).getTime() }));
  }

  /** Whether the local day of `d` is a working day. */
  isWorkday(d: Date): boolean {
    return this.isWorkdayOn(this.localDay(d));
  }

  /** Whether a 'YYYY-MM-DD' day is a working day: config, then the official schedule, then the weekday. */
  isWorkdayOn(day: string): boolean {
    if (this.extraWorkdays.has(day)) return true;
    if (this.extraHolidays.has(day)) return false;
    const kind = this.source.kind(day);
    if (kind !== undefined) return kind === 'work';
    const weekday = civilDate(day).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** A working day and within [workStart, workEnd), outside the lunch break. */
  isWorkingTime(d: Date): boolean {
    const t = d.getTime();
    return this.segments(this.localDay(d)).some((s) => t >= s.start && t < s.end);
  }

  /**
   * The earliest workStart on a working day strictly after `after`: before the morning of a
   * working day that is the same day's, from workStart on it is the next working day's.
   */
  nextWorkingMorning(after: Date): Date {
    let day = this.localDay(after);
    for (let i = 0; i <= MAX_SCAN_DAYS; i++, day = shiftDay(day, 1)) {
      if (!this.isWorkdayOn(day)) continue;
      const morning = this.at(day, this.workStart);
      if (morning.getTime() > after.getTime()) return morning;
    }
    throw noWorkday(after);
  }

  /**
   * The same local time of day on the |n|th working day after (n > 0) or before (n < 0) the local
   * day of `from`; `from` itself when n is 0. The starting day need not be a working day.
   */
  addWorkingDays(from: Date, n: number): Date {
    if (!Number.isInteger(n)) throw new RangeError(`working days must be an integer, got ${n}`);
    if (n === 0) return new Date(from.getTime());
    const step = n > 0 ? 1 : -1;
    let day = this.localDay(from);
    let left = Math.abs(n);
    let idle = 0;
    while (left > 0) {
      day = shiftDay(day, step);
      if (this.isWorkdayOn(day)) {
        left--;
        idle = 0;
      } else if (++idle > MAX_SCAN_DAYS) {
        throw noWorkday(from);
      }
    }
    return this.sameTimeOn(from, day);
  }

  /**
   * When a message may go out. Urgent ones go at once; others only on a working day between
   * workStart and quietStart, else at the next working morning.
   */
  deferForQuiet(at: Date, urgent: boolean): Date {
    if (urgent) return new Date(at.getTime());
    const day = this.localDay(at);
    if (this.isWorkdayOn(day) && this.within(at, day, this.workStart, this.quietStart)) {
      return new Date(at.getTime());
    }
    return this.nextWorkingMorning(at);
  }

  /** 'YYYY-MM-DD' of `d` in the calendar's zone. */
  localDay(d: Date): string {
    if (Number.isNaN(d.getTime())) throw new RangeError('invalid date');
    const w = wallClock(d, this.tz);
    return `${w.year}-${w.month}-${w.day}`;
  }

  /** The instant of wall time `hhmm` on `day` in the calendar's zone. */
  at(day: string, hhmm: string): Date {
    // Memoized: the scheduler asks for the same few wall times (working mornings, quiet hours)
    // of the same few days for every item it plans.
    const key = `${day} ${hhmm}`;
    let ms = this.atCache.get(key);
    if (ms === undefined) {
      const [y, m, d] = dayParts(day);
      const [h, min] = hhmmParts(hhmm);
      ms = new TZDate(y, m - 1, d, h, min, 0, 0, this.tz).getTime();
      if (this.atCache.size > 10_000) this.atCache.clear();
      this.atCache.set(key, ms);
    }
    return new Date(ms);
  }

  private readonly atCache = new Map<string, number>();

  /**
   * Of the current and the next year (in the zone), those for which neither the package nor
   * the config has any holiday data — the calendar would treat them as plain weekdays/weekends.
   */
  missingYears(now: Date): number[] {
    const year = Number(this.localDay(now).slice(0, 4));
    return [year, year + 1].filter((y) => !this.source.hasYear(y) && !this.configHasYear(y));
  }

  private configHasYear(year: number): boolean {
    const prefix = `${year}-`;
    const inYear = (d: string) => d.startsWith(prefix);
    return [...this.extraHolidays].some(inYear) || [...this.extraWorkdays].some(inYear);
  }

  private within(d: Date, day: string, from: string, until: string): boolean {
    const t = d.getTime();
    return t >= this.at(day, from).getTime() && t < this.at(day, until).getTime();
  }

  private sameTimeOn(from: Date, day: string): Date {
    const t = from.getTime();
    if (Number.isNaN(t)) throw new RangeError('invalid date');
    const w = wallClock(t, this.tz);
    const minute = this.at(day, `${w.hour}:${w.minute}`).getTime();
    return new Date(minute + Number(w.second) * 1000 + (((t % 1000) + 1000) % 1000));
  }
}

function configIssues(cfg: CalendarConfig): string[] {
  const issues: string[] = [];
  if (!isTimeZone(cfg.timezone)) issues.push(`timezone: unknown IANA zone "${cfg.timezone}"`);
  for (const key of ['workStart', 'workEnd', 'quietStart'] as const) {
    if (!HHMM_RE.test(cfg[key])) issues.push(`${key}: "${cfg[key]}" is not HH:mm`);
  }
  if (issues.length === 0) {
    if (cfg.workEnd <= cfg.workStart) issues.push('workEnd must be after workStart');
    if (cfg.quietStart <= cfg.workStart) issues.push('quietStart must be after workStart');
    const lunch = cfg.lunch === undefined ? undefined : SPAN_RE.exec(cfg.lunch);
    if (lunch === null) issues.push(`lunch: "${cfg.lunch}" is not HH:mm-HH:mm`);
    else if (lunch && !(cfg.workStart < lunch[1]! && lunch[1]! < lunch[3]! && lunch[3]! < cfg.workEnd)) {
      issues.push('lunch must lie inside workStart..workEnd and end after it starts');
    }
  }
  for (const key of ['extraHolidays', 'extraWorkdays'] as const) {
    for (const day of cfg[key]) if (!isDay(day)) issues.push(`${key}: "${day}" is not a YYYY-MM-DD date`);
  }
  const both = cfg.extraHolidays.filter((d) => cfg.extraWorkdays.includes(d));
  if (both.length > 0) issues.push(`listed both as holiday and as workday: ${both.join(', ')}`);
  return issues;
}

function isDay(day: string): boolean {
  return DAY_RE.test(day) && isoDay(civilDate(day)) === day;
}

// Civil-day arithmetic runs on UTC midnights: a calendar day has no zone, and UTC has no DST to
// make a day 23 or 25 hours long.
const isoDay = (utcMidnight: Date): string => utcMidnight.toISOString().slice(0, 10);

function civilDate(day: string): Date {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d));
}

function dayParts(day: string): [number, number, number] {
  const m = DAY_RE.exec(day);
  if (!m) throw new RangeError(`not a YYYY-MM-DD day: "${day}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function hhmmParts(hhmm: string): [number, number] {
  const m = HHMM_RE.exec(hhmm);
  if (!m) throw new RangeError(`not an HH:mm time: "${hhmm}"`);
  return [Number(m[1]), Number(m[2])];
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmmParts(hhmm);
  return h * 60 + m;
}

/** The 'YYYY-MM-DD' day `n` days after `day` (before, for n < 0). */
export function shiftDay(day: string, n: number): string {
  const d = civilDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return isoDay(d);
}

function noWorkday(near: Date): Error {
  return new Error(`no working day within ${MAX_SCAN_DAYS} days of ${near.toISOString()}: check calendar.extraHolidays`);
}
