// A response clock paused while it waits on the requester (「需补充信息」: a question's asker, a
// problem's initiator): the working or wall time it had left is kept and given back from the
// moment the requester answers, so waiting on the requester never counts against the person
// asked. Every pause stays in data.pauses.

import { clockSet } from '../domain/clocks.ts';
import { type DurationKind, addDuration, elapsed } from '../domain/working-time.ts';
import type { ItemRow } from '../db/repo.ts';
import type { Ctx } from './context.ts';
import { at, fmtSpan, fmtTime } from './format.ts';

export interface Pause {
  from: number;
  by: string;
  what: string;
  /** Time the clock had left, counted as the clock counts (`kind`). */
  left: number;
  kind: DurationKind;
  to?: number;
  info?: string;
}

export function pausesOf(item: ItemRow): Pause[] {
  return Array.isArray(item.data.pauses) ? (item.data.pauses as Pause[]) : [];
}

/** The open pause, if the clock is paused. */
export function openPause(item: ItemRow): Pause | undefined {
  const last = pausesOf(item).at(-1);
  return last && last.to === undefined ? last : undefined;
}

function kindOf(ctx: Ctx, item: ItemRow): DurationKind {
  return clockSet(ctx.config.clocks, ctx.calendar.workdayMs)[item.urgent ? 'urgent' : 'ordinary'].kind;
}

/** The item's pauses with a new one from now. */
export function pauseClock(ctx: Ctx, item: ItemRow, by: string, what: string): Pause[] {
  const kind = kindOf(ctx, item);
  const left = item.clockAt === null ? 0 : Math.max(0, elapsed(ctx.calendar, kind, ctx.now, new Date(item.clockAt)));
  return [...pausesOf(item), { from: ctx.now.getTime(), by, what, left, kind }];
}

/** The pauses with the open one closed now, and the resumed breach time. */
export function resumeClock(ctx: Ctx, item: ItemRow, info: string): { pauses: Pause[]; clockAt: number } {
  const all = pausesOf(item);
  const open = openPause(item);
  if (!open) return { pauses: all, clockAt: ctx.now.getTime() };
  const clockAt = addDuration(ctx.calendar, ctx.now, { kind: open.kind, ms: open.left }).getTime();
  return { pauses: [...all.slice(0, -1), { ...open, to: ctx.now.getTime(), info }], clockAt };
}

/** One line per pause, for /查看. */
export function pauseLines(item: ItemRow, tz: string): string[] {
  return pausesOf(item).map(
    (p) =>
      `- ⏸ ${fmtTime(p.from, tz)} → ${p.to === undefined ? '至今' : fmtTime(p.to, tz)}：${at(p.by)} 需补充信息「${p.what}」${p.info ? `，已补充「${p.info}」` : ''}（暂停时剩余 ${fmtSpan(p.kind, p.left)}）`,
  );
}
