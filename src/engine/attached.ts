// What /查看 of a request lists besides its own history: the records filed under it — tasks,
// problems, questions, notes and minutes — each with who owns it, its state and its date.

import type { ItemRow } from '../db/repo.ts';
import { KIND_LABEL, stateLabel } from '../i18n/zh-CN.ts';
import { SEVERITY_LABEL } from './issue.ts';
import { at, fmtTime, itemRef, rowTitle } from './format.ts';
import type { Severity } from '../commands/types.ts';

/** Kinds in the order a reader of the request wants them. */
const ORDER = ['task', 'issue', 'ask', 'minutes', 'note'] as const;

/** One markdown section per kind that has records; empty when nothing is attached. */
export function attachedSections(children: readonly ItemRow[], tz: string): string[] {
  return ORDER.flatMap((kind) => {
    const rows = children.filter((c) => c.kind === kind);
    if (rows.length === 0) return [];
    return [`**${KIND_LABEL[kind]}（${rows.length}）**\n${rows.map((r) => line(r, tz)).join('\n')}`];
  });
}

function line(i: ItemRow, tz: string): string {
  const who = i.ownerId ? ` ${at(i.ownerId)}` : i.kind === 'note' || i.kind === 'minutes' ? ` 记录人 ${at(i.initiatorId)}` : '';
  const sev = i.kind === 'issue' ? `·${SEVERITY_LABEL[(i.data.severity as Severity | undefined) ?? 'normal']}` : '';
  const when =
    i.dueAt !== null
      ? ` 截止 ${fmtTime(i.dueAt, tz)}`
      : i.kind === 'ask' && i.clockAt !== null
        ? ` 回复时限 ${fmtTime(i.clockAt, tz)}`
        : ` ${fmtTime(i.createdAt, tz)}`;
  return `- ${itemRef(i.id)} 【${stateLabel(i.state)}${sev}】${rowTitle(i.title)}${who}${when}`;
}
