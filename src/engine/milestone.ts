// Milestones (里程碑) of a request: each is a child item of kind 'milestone' whose deadline is the
// milestone's time, so the scheduler plans its reminders like any item's (keyed by its own id and
// date): the stage result is due 1 working day before, the owners reminded that morning; a 重大
// milestone is announced in the group 3 working days ahead, at the morning time.

import type { Command } from '../commands/types.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { MILESTONE_ANNOUNCE_DAYS as ANNOUNCE_DAYS_BEFORE, MILESTONE_RESULT_DAYS as RESULT_DAYS_BEFORE } from '../domain/reminders.ts';
import type { ItemRow } from '../db/repo.ts';
import { type Ctx, nowMs, record, reply } from './context.ts';
import { ats, fmtTime, itemRef } from './format.ts';


const ENDED = new Set(['closed', 'cancelled']);

export function isMajor(item: Pick<ItemRow, 'data'>): boolean {
  return item.data.major === true;
}

/** The working day `n` working days before the milestone's day, as 'YYYY-MM-DD'. */
export function workdayBefore(cal: WorkCalendar, at: number, n: number): string {
  return cal.localDay(cal.addWorkingDays(new Date(at), -n));
}

/** Who delivers the stage result: the request's contacts, else its initiator. */
export function resultOwners(ctx: Pick<Ctx, 'repo'>, request: ItemRow): string[] {
  const contacts = ctx.repo.people(request.id).filter((p) => p.role === 'contact').map((p) => p.userId);
  return contacts.length ? contacts : [request.initiatorId];
}

/** `/里程碑 #N <名称> <时间> [重大]` by the request's initiator or a contact. */
export function createMilestone(ctx: Ctx, request: ItemRow, cmd: Extract<Command, { name: 'milestone' }>): void {
  const ref = itemRef(request.id, request.seqNo);
  if (request.kind !== 'request') return reply(ctx, `#${request.id} 不是需求：里程碑属于需求（/里程碑 #需求编号 <名称> <时间>）。`, request.id);
  if (ENDED.has(request.state)) return reply(ctx, `需求 ${ref} 已结束，不能再设置里程碑。`, request.id);
  const people = ctx.repo.people(request.id);
  if (request.initiatorId !== ctx.actor.id && !people.some((p) => p.userId === ctx.actor.id && (p.role === 'contact' || p.role === 'sub'))) {
    return reply(ctx, '⛔ 无权操作：只有发起人或对接人可以设置里程碑。', request.id);
  }
  const zone = ctx.config.calendar.timezone;
  const now = nowMs(ctx);
  const when = cmd.at.getTime();
  if (when <= now) return reply(ctx, `❌ 里程碑时间 ${fmtTime(when, zone)} 已过：请写今后的时间。`, request.id);
  const item = ctx.repo.insertItem({
    kind: 'milestone',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: cmd.title,
    state: 'planned',
    // The request's initiator manages its milestones (/改期), whoever set one; the audit says who.
    initiatorId: request.initiatorId,
    ownerId: null,
    dueAt: when,
    parentId: request.id,
    data: { major: cmd.major },
    createdAt: now,
    updatedAt: now,
  });
  record(ctx, item, 'create', null, 'planned', { title: cmd.title, due: when, major: cmd.major, request: request.id });
  const cal = ctx.calendar;
  const resultDay = workdayBefore(cal, when, RESULT_DAYS_BEFORE);
  const morning = ctx.config.calendar.workStart;
  const announce = cmd.major ? `重大里程碑将于 ${workdayBefore(cal, when, ANNOUNCE_DAYS_BEFORE)} ${morning}（前 ${ANNOUNCE_DAYS_BEFORE} 个工作日）在群里预告。` : '';
  reply(
    ctx,
    `🏁 已为需求 ${ref}「${request.title}」设置${cmd.major ? '【重大】' : ''}里程碑 #${item.id}「${cmd.title}」：${fmtTime(when, zone)}。` +
      `阶段成果须在前 ${RESULT_DAYS_BEFORE} 个工作日（${resultDay}）提交，当天 ${morning} 提醒 ${ats(resultOwners(ctx, request))}。${announce}`,
    request.id,
  );
}

/** A request's milestones for /查看, in date order. */
export function milestoneLines(ctx: Ctx, request: ItemRow): string[] {
  if (request.kind !== 'request') return [];
  const zone = ctx.config.calendar.timezone;
  return ctx.repo
    .childItems(request.id)
    .filter((i) => i.kind === 'milestone' && i.state === 'planned' && i.dueAt !== null)
    .sort((a, b) => a.dueAt! - b.dueAt!)
    .map((m) => {
      const passed = m.dueAt! <= nowMs(ctx) ? ' · 已到期' : '';
      const major = isMajor(m) ? `【重大】提前 ${ANNOUNCE_DAYS_BEFORE} 个工作日（${workdayBefore(ctx.calendar, m.dueAt!, ANNOUNCE_DAYS_BEFORE)}）预告 · ` : '';
      return `- #${m.id} ${m.title}：${fmtTime(m.dueAt, zone)} · ${major}阶段成果 ${workdayBefore(ctx.calendar, m.dueAt!, RESULT_DAYS_BEFORE)} 提交${passed}`;
    });
}
