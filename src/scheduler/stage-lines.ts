// The reminder line of a request's missed stage clock: the stage's owner (or, once it is
// completed, its signer) is pinged; escalation climbs the chain of escalation.ts (initiator and
// 总对接人, then the leader), and a stage the leader owns or signs is the group leader's when the
// request names none.

import type { Config } from '../config/schema.ts';
import { type ReminderRules, escalationStep } from '../domain/reminders.ts';
import { stageOf } from '../domain/processes/registry.ts';
import { fillIn } from '../domain/processes/template.ts';
import type { Repo } from '../db/repo.ts';
import { ats, fmtTime, itemRef } from '../engine/format.ts';
import { holders, processRegistry } from '../engine/processes.ts';
import { documentsLabel, stageRecords } from '../engine/stage-cards.ts';
import { groupLeader, leaderOf } from '../engine/leaders.ts';
import { escalationText } from './escalation.ts';
import { RANK } from './lines.ts';

export function stageReminderLine(repo: Repo, config: Config, itemId: number, round: number, rules: ReminderRules, now: Date): { rank: number; text: string } | undefined {
  const item = repo.getItem(itemId);
  if (!item) return undefined;
  const reg = processRegistry(config);
  const t = reg.get(item.process);
  const s = stageOf(t, item.stage);
  if (!s) return undefined;
  const tz = config.calendar.timezone;
  const people = repo.people(item.id);
  const rec = stageRecords(item)[s.id];
  const signing = rec?.status === 'signing' && rec.signer;
  const who = signing ? [rec.signer!] : holders(reg, item, people, s.owner, groupLeader(repo, item.chatId));
  const late = s.documents.find((d) => d.name === s.late);
  // A stage whose deadline is a delivery node asks for the delay note, with the adjusted plan.
  const delay = late ? `；如需延期，请提交《${late.name}》（${late.fields.join('、')}）：/完成 #${item.id} ${late.name} ${fillIn(late)}` : '';
  const owed = signing ? `签核阶段「${s.name}」` : `完成阶段「${s.name}」（${documentsLabel(s)}，/完成 #${item.id}）${delay}`;
  const tag = item.urgent ? '【紧急】' : '';
  const what = `需求 ${itemRef(item.id, item.seqNo)}「${item.title}」`;
  const hours = Math.max(0, Math.round((now.getTime() - (item.stageDueAt ?? now.getTime())) / 3_600_000));
  const lateText = hours ? `（约 ${hours} 小时）` : '';
  const step = escalationStep('stage', round, rules, item.urgent);
  if (step > 0) {
    const lookup = { getItem: (id: number) => repo.getItem(id), people: (id: number) => repo.people(id), leader: () => leaderOf(repo, item.chatId, item) };
    const { head, tail } = escalationText(lookup, item, { step, asked: who, since: item.stageDueAt, times: round - 1 }, tz);
    return { rank: RANK.stage, text: `- ${head}${ats(who)} ${tag}${what} 未按时${owed}，时限 ${fmtTime(item.stageDueAt, tz)}${lateText}，${tail}` };
  }
  return { rank: RANK.stage, text: `- ⏰ ${ats(who)} ${tag}${what} 已超过时限 ${fmtTime(item.stageDueAt, tz)}${lateText}，请${owed}` };
}
