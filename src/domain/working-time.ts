// Clock durations in wall time ("2h", "30m", "1d") or in working time ("1wd", "4wh", "0.5wd"),
// and the arithmetic of working time on the working calendar, as a service desk counts SLA time:
// a working-time clock runs only inside working hours on working days (weekends, holidays and
// the lunch break off, 调休 days on). Pure: instants and the calendar come in as arguments.

import { type Segment, type WorkCalendar, shiftDay } from './calendar.ts';

/**
 * How long a clock runs: wall milliseconds, or milliseconds of working time. A whole number of
 * working days also carries `days`: such a clock is counted in days, not hours (see addDuration).
 */
export type Duration = { kind: 'wall'; ms: number } | { kind: 'work'; ms: number; days?: number };
export type DurationKind = Duration['kind'];

const HOUR = 3_600_000;
const WALL_MS: Record<string, number> = { d: 24 * HOUR, h: HOUR, m: 60_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(wd|wh|d|h|m)$/i;

/** A year of working days: a longer clock is a typo, and would make every walk below long. */
const MAX_WORKING_DAYS = 260;
/** The day walks give up after this many days (a calendar with no working day at all). */
const MAX_SCAN_DAYS = 366 * 10;

/** Whether `text` is a clock duration ("2h", "30m", "1d", "1wd", "4wh", "0.5wd"). */
export function isClockDuration(text: string): boolean {
  return parseClockDuration(text, 8 * HOUR) !== undefined;
}

/**
 * "2h" → 2 wall hours; "4wh" → 4 working hours; "0.5wd" → half of `workdayMs` (one working day's
 * working time); undefined for anything else or more than a year of working days.
 */
export function parseClockDuration(text: string, workdayMs: number): Duration | undefined {
  const m = DURATION_RE.exec(text.normalize('NFKC').trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const d: Duration =
    unit === 'wd'
      ? { kind: 'work', ms: Math.round(n * workdayMs), ...(Number.isInteger(n) && n > 0 ? { days: n } : {}) }
      : unit === 'wh'
        ? { kind: 'work', ms: Math.round(n * HOUR) }
        : { kind: 'wall', ms: Math.round(n * WALL_MS[unit]!) };
  const limit = d.kind === 'work' ? MAX_WORKING_DAYS * workdayMs : MAX_WORKING_DAYS * 24 * HOUR;
  return d.ms <= limit ? d : undefined;
}

/**
 * When a clock of `d` started at `start` runs out. Whole working days ("1wd", "5wd") are counted
 * the way a Chinese office (and the civil code's rule for periods in days) reads "1个工作日内":
 * the day the clock starts is not counted unless all of its working time is still ahead, and
 * the clock runs out at the end of the last working day — a question asked on Friday at 17:30
 * is due at the end of the next working day, not at 17:30 on it. Fractions of a day and
 * working hours ("0.5wd", "4wh") count exact working time.
 */
export function addDuration(cal: WorkCalendar, start: Date, d: Duration): Date {
  if (d.kind === 'wall') return new Date(start.getTime() + d.ms);
  return d.days ? addWorkingDaysClock(cal, start, d.days) : addWorking(cal, start, d.ms);
}

/** The end of the `days`th whole working day counted from `start` (see addDuration). */
export function addWorkingDaysClock(cal: WorkCalendar, start: Date, days: number): Date {
  const first = cal.segments(cal.localDay(start))[0];
  const from = first && start.getTime() <= first.start ? new Date(first.start) : cal.nextWorkingMorning(start);
  return addWorking(cal, from, days * cal.workdayMs);
}

/** The instant `d` before `end`, counted the same way (a heads-up before a breach). */
export function subtractDuration(cal: WorkCalendar, end: Date, d: Duration): Date {
  return d.kind === 'wall' ? new Date(end.getTime() - d.ms) : subtractWorking(cal, end, d.ms);
}

/** Time from `from` to `to` counted the way `kind` counts it (negative when `to` is earlier). */
export function elapsed(cal: WorkCalendar, kind: DurationKind, from: Date, to: Date): number {
  return kind === 'wall' ? to.getTime() - from.getTime() : workingBetween(cal, from, to);
}

/**
 * The instant at which `ms` of working time after `start` has passed. It ends a working minute:
 * the moment just before it is working time (a clock that uses up a day ends at workEnd).
 */
export function addWorking(cal: WorkCalendar, start: Date, ms: number): Date {
  if (ms < 0) return subtractWorking(cal, start, -ms);
  const t = start.getTime();
  if (ms === 0) return new Date(t);
  let left = ms;
  let day = cal.localDay(start);
  for (let i = 0; i <= MAX_SCAN_DAYS; i++, day = shiftDay(day, 1)) {
    for (const s of cal.segments(day)) {
      if (s.end <= t) continue;
      const from = Math.max(s.start, t);
      if (left <= s.end - from) return new Date(from + left);
      left -= s.end - from;
    }
  }
  throw noWorkingTime(start);
}

/** The instant `ms` of working time before `end`; it starts a working minute. */
export function subtractWorking(cal: WorkCalendar, end: Date, ms: number): Date {
  if (ms < 0) return addWorking(cal, end, -ms);
  const t = end.getTime();
  if (ms === 0) return new Date(t);
  let left = ms;
  let day = cal.localDay(end);
  for (let i = 0; i <= MAX_SCAN_DAYS; i++, day = shiftDay(day, -1)) {
    for (const s of [...cal.segments(day)].reverse()) {
      if (s.start >= t) continue;
      const until = Math.min(s.end, t);
      if (left <= until - s.start) return new Date(until - left);
      left -= until - s.start;
    }
  }
  throw noWorkingTime(end);
}

/** Working time between two instants (negative when `to` is before `from`). */
export function workingBetween(cal: WorkCalendar, from: Date, to: Date): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b < a) return -workingBetween(cal, to, from);
  let sum = 0;
  const last = cal.localDay(to);
  let day = cal.localDay(from);
  for (let i = 0; i <= MAX_SCAN_DAYS * 10; i++, day = shiftDay(day, 1)) {
    for (const s of cal.segments(day)) sum += overlap(s, a, b);
    if (day === last) return sum;
  }
  return sum;
}

function overlap(s: Segment, a: number, b: number): number {
  return Math.max(0, Math.min(s.end, b) - Math.max(s.start, a));
}

function noWorkingTime(near: Date): Error {
  return new Error(`no working time within ${MAX_SCAN_DAYS} days of ${near.toISOString()}: check calendar.extraHolidays`);
}
