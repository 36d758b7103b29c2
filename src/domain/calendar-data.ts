// Where the statutory calendar comes from. The State Council publishes each year's holidays and
// make-up working days (调休) around November–December, so any package lags a little; the
// calendar layers config entries over this source and warns when a year has no data at all.

import { HolidayUtil } from 'lunar-typescript';

/** How the official schedule classes a day: a day off, a make-up working day, or nothing special. */
export type StatutoryKind = 'off' | 'work';

export interface HolidaySource {
  /** The official kind of a 'YYYY-MM-DD' day, or undefined when the day follows the weekly rule. */
  kind(day: string): StatutoryKind | undefined;
  /** Whether the source knows any holiday or make-up day in that year. */
  hasYear(year: number): boolean;
}

/**
 * lunar-typescript's `HolidayUtil` (embedded data, no I/O). `getHolidays(year)` lists every
 * record whose day falls in that year; `Holiday.isWork()` is true for a make-up working day.
 * Each year is read once: `getHoliday` scans the package's data string on every call.
 * https://github.com/6tail/lunar-typescript — HolidayUtil
 */
export function lunarHolidaySource(): HolidaySource {
  const years = new Map<number, ReadonlyMap<string, StatutoryKind>>();
  const yearOf = (year: number): ReadonlyMap<string, StatutoryKind> => {
    let days = years.get(year);
    if (!days) {
      const built = new Map<string, StatutoryKind>();
      for (const h of HolidayUtil.getHolidays(year)) built.set(h.getDay(), h.isWork() ? 'work' : 'off');
      years.set(year, built);
      days = built;
    }
    return days;
  };
  return {
    kind: (day) => yearOf(Number(day.slice(0, 4))).get(day),
    hasYear: (year) => yearOf(year).size > 0,
  };
}
