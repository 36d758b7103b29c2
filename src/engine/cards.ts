// Card builders: items → the neutral card model. Colours follow state: orange waits on someone,
// blue is in progress, green is done, red is a problem or rejection, grey is over.

import type { Card, CardButton, CardColor, CardField } from '../domain/card.ts';
import type { ItemRow, PersonRow } from '../db/repo.ts';
import { PRIORITY_LABEL, stateLabel } from '../i18n/zh-CN.ts';
import { at, fmtTime, itemRef, showCommand } from './format.ts';

export const STATE_COLOR: Record<string, CardColor> = {
  pending: 'orange',
  objected: 'red',
  active: 'blue',
  review: 'orange',
  rework: 'red',
  accepted: 'green',
  closed: 'grey',
  cancelled: 'grey',
};

export const REASON_INPUT = { name: 'reason', label: '原因 / Reason', placeholder: '请填写具体原因', required: true } as const;

function baseFields(item: ItemRow, tz: string): CardField[] {
  const f: CardField[] = [
    { label: '发起人', value: at(item.initiatorId) },
    { label: '截止', value: fmtTime(item.dueAt, tz) },
  ];
  if (item.priority) f.push({ label: '优先级', value: PRIORITY_LABEL[item.priority] ?? item.priority });
  const std = item.data.std;
  if (typeof std === 'string' && std) f.push({ label: '交付标准', value: std });
  return f;
}

export function confirmCardKey(itemId: number, userId: string): string {
  return `item:${itemId}:confirm:${userId}`;
}

/** The card that asks one contact to confirm (or object to) a request. */
export function confirmCard(item: ItemRow, contact: PersonRow, tz: string): Card {
  const who = contact.userId;
  const buttons: CardButton[] = [];
  let status: string;
  let color: CardColor = 'orange';
  if (contact.status === 'confirmed') {
    status = `✅ ${at(who)} 已确认`;
    color = 'green';
  } else {
    status =
      contact.status === 'objected'
        ? `⚠️ ${at(who)} 已提出异议：${contact.note ?? ''}\n异议解决后请点击「确认」。`
        : `请 ${at(who)} 在 ${fmtTime(item.clockAt, tz)} 前确认对接，或提出异议（需写明原因）。`;
    if (contact.status === 'objected') color = 'red';
    if (item.state === 'pending' || item.state === 'objected') {
      buttons.push({ label: '确认对接', style: 'primary', action: 'confirm', itemId: item.id, version: item.version, for: who });
      if (contact.status !== 'objected') {
        buttons.push({
          label: '提出异议',
          style: 'danger',
          action: 'object',
          itemId: item.id,
          version: item.version,
          for: who,
          inputs: [REASON_INPUT],
        });
      }
    } else if (item.state === 'cancelled') {
      status = '该需求已取消。';
      color = 'grey';
    }
  }
  const fields = baseFields(item, tz);
  fields.push({ label: '对接人', value: at(who) });
  if (contact.duty) fields.push({ label: '职责', value: contact.duty });
  return {
    header: {
      title: `【需求确认】${itemRef(item.id, item.seqNo)} ${item.title}`,
      color,
      tag: contact.status === 'confirmed' ? '已确认' : contact.status === 'objected' ? '有异议' : stateLabel(item.state),
    },
    fields,
    markdown: [status],
    buttons,
    mentions: [{ id: who, name: who }],
    summary: `需求 ${itemRef(item.id, item.seqNo)} ${item.title} 待确认`,
    more: showCommand(item.id),
  };
}

export function reviewCardKey(itemId: number, round: number): string {
  return `item:${itemId}:review:${round}`;
}

/** The acceptance card: asks the reviewer to accept or reject a delivery. */
export function reviewCard(item: ItemRow, round: number, reviewerId: string, tz: string): Card {
  const d = item.data as { deliverable?: string; evidence?: string; submittedBy?: string; reviews?: ReviewRecord[] };
  const done = d.reviews?.find((r) => r.round === round);
  const fields = baseFields(item, tz);
  fields.push({ label: '交付物', value: d.deliverable ?? '' });
  if (d.evidence) fields.push({ label: '证据', value: d.evidence });
  if (d.submittedBy) fields.push({ label: '交付人', value: at(d.submittedBy) });
  const buttons: CardButton[] = [];
  let md: string;
  let color: CardColor = 'orange';
  if (done) {
    md =
      done.result === 'accept'
        ? `✅ ${at(done.by)} 已验收通过（${fmtTime(done.at, tz)}）`
        : `❌ ${at(done.by)} 已驳回（${fmtTime(done.at, tz)}）：${done.reason}\n新期限：${fmtTime(done.newDue, tz)}`;
    color = done.result === 'accept' ? 'green' : 'red';
  } else if (item.state === 'review') {
    md = `请 ${at(reviewerId)} 在 ${fmtTime(item.clockAt, tz)} 前验收：通过，或驳回并写明整改要求与新期限。`;
    buttons.push(...reviewButtons(item, reviewerId));
  } else {
    md = `该交付已失效（当前状态：${stateLabel(item.state)}）。`;
    color = 'grey';
  }
  return {
    header: { title: `【成果验收】${itemRef(item.id, item.seqNo)} ${item.title}`, color, tag: done ? (done.result === 'accept' ? '已验收' : '已驳回') : stateLabel(item.state) },
    fields,
    markdown: [md],
    buttons,
    mentions: [{ id: reviewerId, name: reviewerId }],
    summary: `需求 ${itemRef(item.id, item.seqNo)} 待验收`,
    more: showCommand(item.id),
  };
}

/** 验收通过 / 驳回 for the reviewer: a rejection names the changes and a new date. */
export function reviewButtons(item: ItemRow, reviewerId: string): CardButton[] {
  const base = { itemId: item.id, version: item.version, for: reviewerId };
  const reason = { name: 'reason', label: '整改要求 / Changes required', placeholder: '具体需要修改的内容', required: true };
  const due = { name: 'due', label: '新期限 / New due date', placeholder: '如 周五、12月1日、+2d', required: true };
  return [
    { label: '验收通过', style: 'primary', action: 'accept', ...base },
    { label: '驳回', style: 'danger', action: 'reject', ...base, inputs: [reason, due] },
  ];
}

export interface ReviewRecord {
  round: number;
  result: 'accept' | 'reject';
  by: string;
  at: number;
  reason?: string;
  newDue?: number;
}

/** A read-only status card of a request (for /show and announcements). */
export function statusCard(item: ItemRow, people: PersonRow[], tz: string, history: string[]): Card {
  const fields = baseFields(item, tz);
  const contacts = people.filter((p) => p.role === 'contact');
  const mark: Record<string, string> = { confirmed: '✅', objected: '⚠️', pending: '⏳' };
  if (contacts.length) {
    fields.push({ label: '对接人', value: contacts.map((p) => `${at(p.userId)}${mark[p.status] ?? ''}`).join(' ') });
  }
  const subs = people.filter((p) => p.role === 'sub');
  if (subs.length) fields.push({ label: '子对接人', value: subs.map((p) => `${at(p.userId)}${mark[p.status] ?? ''}${p.duty ? `（${p.duty}）` : ''}`).join(' ') });
  return {
    header: { title: `${itemRef(item.id, item.seqNo)} ${item.title}`, color: STATE_COLOR[item.state] ?? 'blue', tag: stateLabel(item.state) },
    fields,
    markdown: history.length ? ['**历史记录**\n' + history.join('\n')] : [],
    buttons: [],
    mentions: [],
    summary: `${itemRef(item.id, item.seqNo)} ${item.title}：${stateLabel(item.state)}`,
    // This card is what /查看 shows: what is cut from it is in the export.
    more: `/归档 #${item.id}`,
  };
}
