// What a milestone's reminders say: the owners are told the stage result is due today (1 working
// day before the milestone); a 重大 milestone is announced to the group 3 working days ahead.

import { MILESTONE_ANNOUNCE_DAYS } from '../domain/reminders.ts';
import type { ItemBrief } from '../db/repo.ts';
import { ats, fmtTime, itemRef, rowTitle } from '../engine/format.ts';
import type { ItemLookup } from './lines.ts';

/** Who delivers the stage result of a request's milestone: its main contacts, else its initiator. */
function owners(repo: ItemLookup, request: ItemBrief): string[] {
  const contacts = repo.people(request.id).filter((p) => p.role === 'contact').map((p) => p.userId);
  return contacts.length ? contacts : [request.initiatorId];
}

export function milestoneLine(repo: ItemLookup, item: ItemBrief, rule: 'milestone' | 'announce', tz: string): string | undefined {
  const request = item.parentId === null ? undefined : repo.getItem(item.parentId);
  if (!request) return undefined;
  const of = `需求 ${itemRef(request.id, request.seqNo)}「${rowTitle(request.title)}」`;
  const name = `「${rowTitle(item.title)}」`;
  if (rule === 'milestone') {
    return `- 🏁 ${ats(owners(repo, request))} ${of}的里程碑 #${item.id}${name}将于 ${fmtTime(item.dueAt, tz)} 到期：阶段成果须在今天（前 1 个工作日）提交`;
  }
  const everyone = new Set([request.initiatorId, ...owners(repo, request), ...repo.people(request.id).map((p) => p.userId)]);
  return `- 📢 【重大里程碑】${of}的 #${item.id}${name}将于 ${fmtTime(item.dueAt, tz)} 到期（${MILESTONE_ANNOUNCE_DAYS} 个工作日后），请各方按计划准备。${ats(everyone)}`;
}
