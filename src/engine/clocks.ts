// Starting a response clock: its breach time from now, on the configured clock (wall or working time).

import { type ClockName, clockSet } from '../domain/clocks.ts';
import { addDuration } from '../domain/working-time.ts';
import type { Ctx } from './context.ts';

/** When the clock `name` started now runs out. */
export function clockDeadline(ctx: Ctx, name: ClockName): Date {
  return addDuration(ctx.calendar, ctx.now, clockSet(ctx.config.clocks, ctx.calendar.workdayMs)[name]);
}
