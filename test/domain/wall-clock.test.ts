import { describe, expect, it } from 'vitest';
import { wallClock } from '../../src/domain/wall-clock.ts';

/** The reference: Intl's own parts, as wallClock computed them before the offset cache. */
const formats = new Map<string, Intl.DateTimeFormat>();
function reference(ms: number, tz: string) {
  let f = formats.get(tz);
  if (!f) formats.set(tz, (f = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  })));
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second, weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday!) };
}

describe('wallClock', () => {
  it('matches Intl in Shanghai, across DST changes in New York and Lord Howe (30 min), and in Kathmandu (+5:45)', () => {
    const zones = ['Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC'];
    // Random instants, plus every 7 minutes 13 seconds around the 2026 DST transitions.
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const instants: number[] = [];
    for (let i = 0; i < 3000; i++) instants.push(Math.floor(rnd() * Date.UTC(2060, 0, 1)));
    for (const around of [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2026, 3, 4, 15), Date.UTC(2026, 9, 3, 15)])
      for (let t = around - 6 * 3600_000; t < around + 6 * 3600_000; t += 433_000) instants.push(t);
    for (const tz of zones) for (const t of instants) expect(wallClock(t, tz), `${tz} ${new Date(t).toISOString()}`).toEqual(reference(t, tz));
  });

  it('matches Intl around changes of offset that are not on a 15-minute boundary', () => {
    // Changes of offset off the 15-minute grid: Casey (2020–2022), St. John's and Gaza (hh:01).
    const cases: Array<[string, number]> = [
      ['Antarctica/Casey', Date.UTC(2022, 9, 1, 16, 0)],
      ['Antarctica/Casey', Date.UTC(2020, 9, 3, 16, 1)],
      ['America/St_Johns', Date.UTC(2010, 2, 14, 3, 31)],
      ['America/St_Johns', Date.UTC(2010, 10, 7, 2, 31)],
      ['Asia/Gaza', Date.UTC(2010, 2, 26, 22, 1)],
    ];
    for (const [tz, around] of cases) {
      // Ask late in each slot first, so a slot filled from the wrong side would show.
      for (let t = around + 3 * 3600_000; t > around - 3 * 3600_000; t -= 61_000) expect(wallClock(t, tz), `${tz} ${new Date(t).toISOString()}`).toEqual(reference(t, tz));
    }
  });

  it('takes a Date as well as milliseconds, and handles dates before 1970', () => {
    const t = Date.UTC(2026, 10, 23, 16, 5, 9);
    expect(wallClock(new Date(t), 'Asia/Shanghai')).toEqual({ year: '2026', month: '11', day: '24', hour: '00', minute: '05', second: '09', weekday: 2 });
    const old = Date.UTC(1900, 0, 1, 0, 0, 0);
    expect(wallClock(old, 'Asia/Shanghai')).toEqual(reference(old, 'Asia/Shanghai'));
  });
});
