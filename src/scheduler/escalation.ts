// Who an escalation brings in, and how its line says so. The chain is the same for response
// clocks, stage clocks and missed deadlines: the owner alone; then also the initiator and the
// side's 总对接人; then also the leader (the request's own 负责人, else the group's). Each
// escalation line names who was asked, since when and how many times, so whoever steps in
// knows what already happened.

import type { EscalationStep } from '../domain/reminders.ts';
import { mainContactOf, subLinks } from '../domain/sides.ts';
import type { ItemBrief, PersonBrief } from '../db/repo.ts';
import { at, ats, fmtTime } from '../engine/format.ts';
import { SET_LEADER_HINT } from '../engine/leaders.ts';

export interface EscalationLookup {
  getItem(id: number): ItemBrief | undefined;
  people(itemId: number): PersonBrief[];
  /** The leader of the item's request (or of its group); undefined when none is set. */
  leader(item: ItemBrief): string | undefined;
}

/** The request an item belongs to: itself, or its parent request. */
export function requestOf(lookup: Pick<EscalationLookup, 'getItem'>, item: ItemBrief): ItemBrief | undefined {
  if (item.kind === 'request') return item;
  const parent = item.parentId === null ? undefined : lookup.getItem(item.parentId);
  return parent?.kind === 'request' ? parent : undefined;
}

/** The first step brings in the initiator (the item's and its request's) and the side's 总对接人. */
export function firstStepTargets(lookup: Pick<EscalationLookup, 'getItem' | 'people'>, item: ItemBrief): string[] {
  const ids = new Set<string>([item.initiatorId]);
  const request = requestOf(lookup, item);
  if (request) {
    ids.add(request.initiatorId);
    // The 总对接人 of the owner's own side when the owner is a sub-contact of one.
    const data = (request as ItemBrief & { data?: Readonly<Record<string, unknown>> }).data;
    const main = mainContactOf(lookup.people(request.id), item.ownerId ?? undefined, data ? subLinks(data) : {});
    if (main) ids.add(main);
  }
  return [...ids];
}

export interface EscalationFacts {
  step: EscalationStep;
  /** Who was asked (and is still asked) to act. */
  asked: readonly string[];
  /** When the clock or deadline was missed (ms): reminding started then. */
  since: number | null;
  /** How many reminders went unanswered before this one. */
  times: number;
}

/**
 * An escalation line's head ("🚨 升级：", or "🚨 升级至负责人：" once it reaches a leader) and tail
 * ("已提醒 N 次，自 <时间> 起；请 @发起人 @总对接人 协调，负责人 @X 督办"); at the leader's step
 * with no leader set, the tail says so and how to name one.
 */
export function escalationText(lookup: EscalationLookup, item: ItemBrief, f: EscalationFacts, tz: string): { head: string; tail: string } {
  const leader = f.step >= 2 ? lookup.leader(item) : undefined;
  const up = firstStepTargets(lookup, item).filter((x) => !f.asked.includes(x) && x !== leader);
  const asked = f.times > 0 ? `已提醒 ${f.times} 次，自 ${fmtTime(f.since, tz)} 起` : `自 ${fmtTime(f.since, tz)} 起未处理，首次提醒即升级`;
  const coordinate = up.length ? `；请 ${ats(up)} 协调` : '';
  const head = leader ? '🚨 升级至负责人：' : '🚨 升级：';
  if (f.step < 2) return { head, tail: `${asked}${coordinate}` };
  if (!leader) return { head, tail: `${asked}${coordinate}；未设负责人，无法再升级（发送 ${SET_LEADER_HINT} 设置）` };
  // The leader is the one asked (a stage the leader owns): nobody above to bring in.
  if (f.asked.includes(leader)) return { head: '🚨 升级：', tail: `${asked}${coordinate}` };
  return { head, tail: `${asked}${coordinate}${up.length ? '，' : '；'}负责人 ${at(leader)} 督办` };
}
