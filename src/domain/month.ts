// Calendar months on the working calendar (pure): the monthly summary goes out on a month's last
// working day — a month ending on a rest day gets it on the last working day before, and a 调休
// day counts as a working day.

import type { WorkCalendar } from './calendar.ts';
import { shiftDay } from './calendar.ts';

/** 'YYYY-MM' of a 'YYYY-MM-DD' day. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** The 'YYYY-MM' after `month`. */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The last calendar day 'YYYY-MM-DD' of `month`. */
export function lastDayOf(month: string): string {
  return shiftDay(`${nextMonth(month)}-01`, -1);
}

/** The last working day of `month`, or undefined when the month has none. */
export function lastWorkingDayOf(cal: WorkCalendar, month: string): string | undefined {
  for (let day = lastDayOf(month); monthOf(day) === month; day = shiftDay(day, -1)) {
    if (cal.isWorkdayOn(day)) return day;
  }
  return undefined;
}

/** [start, end) of `month` in the calendar's zone. */
export function monthSpan(cal: WorkCalendar, month: string): { from: Date; to: Date } {
  return { from: cal.at(`${month}-01`, '00:00'), to: cal.at(`${nextMonth(month)}-01`, '00:00') };
}
