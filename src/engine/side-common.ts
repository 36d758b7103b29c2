// What adding, replacing and confirming contacts share: who may change them, the request's clock
// once sub-contacts changed, and the reply when a side could not be told apart.

import { type SidePick, MAIN_ROLES, mains, subClock, subLinks } from '../domain/sides.ts';
import type { ItemRow, NewItem, PersonRow } from '../db/repo.ts';
import type { Ctx } from './context.ts';
import { ats, itemRef } from './format.ts';

/** States in which only sub-contacts can owe a confirmation on the request's clock. */
const SUB_CLOCK_STATES = new Set(['active', 'rework']);

/** Whether the sender may change the request's contacts: its initiator or a side's 总对接人. */
export function mayChangeContacts(ctx: Ctx, item: ItemRow, people: readonly PersonRow[]): boolean {
  return item.initiatorId === ctx.actor.id || people.some((p) => MAIN_ROLES.has(p.role) && p.userId === ctx.actor.id);
}

/** The request's clock once its people changed: in 执行, the earliest sub-contact confirmation owed. */
export function clockPatch(ctx: Ctx, item: ItemRow, data: Record<string, unknown>): Partial<NewItem> {
  if (!SUB_CLOCK_STATES.has(item.state)) return {};
  return { clockAt: subClock(ctx.repo.people(item.id), subLinks(data)) };
}

/** The reply for a side that could not be told apart. */
export function sideRefusal(item: ItemRow, people: readonly PersonRow[], pick: Extract<SidePick, { ok: false }>, example: string): string {
  const all = mains(people);
  if (pick.why === 'not-a-side') return `❌ 方: 后要 @一方的总对接人。需求 ${itemRef(item.id)} 各方总对接人：${all.length ? ats(all) : '—'}`;
  return `❌ 需求 ${itemRef(item.id)} 有 ${all.length} 个协作方（总对接人 ${ats(all)}），请用 方:@该方总对接人 指明哪一方，例如 ${example}`;
}
