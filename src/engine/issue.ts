// Problems (问题): severity 一般/重要/紧急 (紧急 runs on the urgent clock), owner, planned date;
// 待处理 → 处理中 → 待验证 (/resolve with result and evidence) → 已关闭 when the initiator
// verifies on the card, or 重开 with a reason. The actual resolution time is recorded.

import type { Command, Severity } from '../commands/types.ts';
import type { Card, CardColor } from '../domain/card.ts';
import { ISSUE_TRANSITIONS } from '../domain/item.machines.ts';
import type { ItemRow } from '../db/repo.ts';
import { stateLabel } from '../i18n/zh-CN.ts';
import { type ActInput, type KindSpec, type Outcome, act } from './act.ts';
import { responseClock } from './ask.ts';
import { clockDeadline } from './clocks.ts';
import { type Ctx, nowMs, postCard, record, say } from './context.ts';
import { at, fmtTime, itemRef, showCommand } from './format.ts';

export const SEVERITY_LABEL: Record<Severity, string> = { normal: '一般', major: '重要', critical: '紧急' };
const SEVERITY_COLOR: Record<Severity, CardColor> = { normal: 'blue', major: 'orange', critical: 'red' };

type IssueCmd = Extract<Command, { name: 'issue' }>;

export function issueCardKey(id: number): string {
  return `item:${id}:issue`;
}

/** The message that asks the initiator to verify one resolution (a new one per resolution). */
export function verifyCardKey(id: number, round: number): string {
  return `item:${id}:verify:${round}`;
}

/** 验证通过 / 重开, for the initiator only, at the item's version. */
function verifyButtons(item: ItemRow): Card['buttons'] {
  const base = { itemId: item.id, version: item.version, for: item.initiatorId };
  return [
    { label: '验证通过', style: 'primary', action: 'verify', ...base },
    { label: '重开', style: 'danger', action: 'reopen', ...base, inputs: [{ name: 'reason', label: '重开原因 / Why it is not fixed', required: true }] },
  ];
}

/**
 * The verification request, posted where the initiator is asked (the problem card may be far up
 * the chat). It carries the same buttons as the problem card; whichever is used first acts, and
 * both are re-rendered, so a click on the other is refused as stale.
 */
function verifyCard(item: ItemRow, tz: string): Card {
  const d = item.data as { result?: string; evidence?: string; resolvedAt?: number; reopenReason?: string };
  const fields = [
    { label: '责任人', value: item.ownerId ? at(item.ownerId) : '' },
    { label: '解决结果', value: d.result ?? '' },
  ];
  if (d.evidence) fields.push({ label: '证据', value: d.evidence });
  if (d.resolvedAt) fields.push({ label: '实际解决', value: fmtTime(d.resolvedAt, tz) });
  const verifying = item.state === 'verify';
  const md = verifying
    ? `请 ${at(item.initiatorId)} 验证：通过则关闭（闭环），不通过请重开并写明原因。`
    : item.state === 'closed'
      ? '✅ 已验证关闭（闭环）。'
      : item.state === 'cancelled'
        ? '该问题已取消。'
        : `↩️ 验证未通过，已重开${d.reopenReason ? `：${d.reopenReason}` : ''}。`;
  return {
    header: {
      title: `【问题验证】${itemRef(item.id)} ${item.title}`,
      color: verifying ? 'orange' : item.state === 'closed' ? 'green' : item.state === 'cancelled' ? 'grey' : 'red',
      tag: stateLabel(item.state),
    },
    fields,
    markdown: [md],
    buttons: verifying ? verifyButtons(item) : [],
    mentions: [{ id: item.initiatorId, name: item.initiatorId }],
    summary: `问题 ${itemRef(item.id)} 待验证`,
  };
}

function issueCard(item: ItemRow, tz: string): Card {
  const d = item.data as { severity: Severity; impact?: string; result?: string; evidence?: string; resolvedAt?: number; reopenReason?: string };
  const sev = d.severity ?? 'normal';
  const fields = [
    { label: '严重程度', value: SEVERITY_LABEL[sev] },
    { label: '责任人', value: item.ownerId ? at(item.ownerId) : '' },
    { label: '发起人', value: at(item.initiatorId) },
    { label: '计划解决', value: fmtTime(item.dueAt, tz) },
  ];
  if (d.impact) fields.push({ label: '影响', value: d.impact });
  if (d.result) fields.push({ label: '解决结果', value: d.result });
  if (d.evidence) fields.push({ label: '证据', value: d.evidence });
  if (d.resolvedAt) fields.push({ label: '实际解决', value: fmtTime(d.resolvedAt, tz) });
  const md: string[] = [];
  const buttons: Card['buttons'] = [];
  if (item.state === 'verify') {
    md.push(`请 ${at(item.initiatorId)} 验证：通过则关闭（闭环），不通过请重开并写明原因。`);
    buttons.push(...verifyButtons(item));
  } else if (item.state === 'open' || item.state === 'working') {
    md.push(`请 ${at(item.ownerId!)} 在 ${fmtTime(item.clockAt ?? item.dueAt, tz)} 前响应处理；解决后发送 /解决 #${item.id} 结果 evidence:链接`);
    if (d.reopenReason) md.push(`↩️ 已重开：${d.reopenReason}`);
  } else if (item.state === 'closed') {
    md.push('✅ 已验证关闭（闭环）。');
  }
  const color: CardColor = item.state === 'closed' ? 'green' : item.state === 'cancelled' ? 'grey' : SEVERITY_COLOR[sev];
  return {
    header: { title: `${sev === 'critical' ? '【紧急】' : sev === 'major' ? '【重要】' : ''}【问题】${itemRef(item.id)} ${item.title}`, color, tag: stateLabel(item.state) },
    fields,
    markdown: md,
    buttons,
    mentions: [],
    summary: `问题 ${itemRef(item.id)}：${item.title}`,
    more: showCommand(item.id),
  };
}

export function createIssue(ctx: Ctx, cmd: IssueCmd): ItemRow {
  const t = nowMs(ctx);
  const urgent = cmd.severity === 'critical';
  const item = ctx.repo.insertItem({
    kind: 'issue',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: cmd.text.length > 60 ? cmd.text.slice(0, 60) + '…' : cmd.text,
    state: 'open',
    initiatorId: ctx.actor.id,
    ownerId: cmd.owner.id,
    priority: cmd.severity === 'normal' ? 'medium' : 'high',
    urgent,
    dueAt: cmd.due?.getTime() ?? null,
    // The owner must respond (start work) within the response clock.
    clockAt: responseClock(ctx, urgent).getTime(),
    data: { text: cmd.text, severity: cmd.severity, impact: cmd.impact ?? null },
    createdAt: t,
    updatedAt: t,
  });
  ctx.repo.addPerson(item.id, cmd.owner.id, 'owner', t, undefined, 'confirmed');
  record(ctx, item, 'create', null, 'open', { text: cmd.text, severity: cmd.severity, owner: cmd.owner.id });
  postCard(ctx, item, issueCardKey(item.id), issueCard(item, ctx.config.calendar.timezone));
  return item;
}

export const issueSpec: KindSpec = {
  kind: 'issue',
  table: ISSUE_TRANSITIONS,
  roles({ item, actorId }) {
    const r = new Set<string>();
    if (item.ownerId === actorId) r.add('owner');
    if (item.initiatorId === actorId) r.add('initiator');
    return r;
  },
  guards: (f) => ({ hasResult: !!f.input.text?.trim(), hasReason: !!f.input.reason?.trim() }),
  guardHint: { hasResult: '请填写解决结果', hasReason: '请填写重开原因' },
  patch(ctx, { item, input }, to) {
    const data = { ...item.data };
    const patch: Partial<ItemRow> = {};
    if (input.action === 'progress') Object.assign(data, { pct: input.pct, risk: input.risk ?? null, lastUpdateAt: nowMs(ctx) });
    if (input.action === 'resolve') {
      // A second resolution without new evidence keeps the evidence given before.
      const verifyRound = ((data.verifyRound as number | undefined) ?? 0) + 1;
      Object.assign(data, { result: input.text, evidence: input.evidence ?? data.evidence ?? null, resolvedAt: nowMs(ctx), verifyRound });
      patch.clockAt = clockDeadline(ctx, 'accept').getTime();
    }
    if (input.action === 'reopen') Object.assign(data, { reopenReason: input.reason, resolvedAt: null });
    if (to === 'working' && item.state === 'open') patch.clockAt = null; // responded
    if (to === 'closed' || to === 'cancelled') patch.clockAt = null;
    if (input.action === 'reopen') patch.clockAt = responseClock(ctx, item.urgent).getTime();
    patch.data = data;
    return patch;
  },
  refresh(ctx, item) {
    postCard(ctx, item, issueCardKey(item.id), issueCard(item, ctx.config.calendar.timezone), true);
    const round = item.data.verifyRound as number | undefined;
    if (item.state === 'verify' && round) postCard(ctx, item, verifyCardKey(item.id, round), verifyCard(item, ctx.config.calendar.timezone), true);
  },
  after(ctx, item, from, f) {
    const tz = ctx.config.calendar.timezone;
    postCard(ctx, item, issueCardKey(item.id), issueCard(item, tz), true);
    const round = item.data.verifyRound as number | undefined;
    // A resolution asks in a new message; leaving verification updates that message in place.
    if (round && (item.state === 'verify' || from === 'verify')) {
      postCard(ctx, item, verifyCardKey(item.id, round), verifyCard(item, tz), from === 'verify');
    }
    const ref = itemRef(item.id);
    if (f.input.action === 'reopen') say(ctx, `${at(item.ownerId!)} 问题 ${ref} 验证未通过，已重开：${f.input.reason}`, item.id);
    if (f.input.action === 'verify') say(ctx, `问题 ${ref} 已验证关闭 ✅ ${at(item.ownerId!)}`, item.id);
  },
};

export function actOnIssue(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  return act(ctx, issueSpec, item, input);
}
