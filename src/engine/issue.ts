// Problems (问题): severity 一般/重要/紧急 (紧急 runs on the urgent clock), owner, planned date;
// 待处理 → 处理中 → 待验证 (/resolve with result and evidence) → 已关闭 when the initiator
// verifies on the card, or 重开 with a reason. The actual resolution time is recorded. While the
// owner waits on the initiator (需补充信息) the response clock is paused.

import type { Command, Severity } from '../commands/types.ts';
import type { Card, CardColor } from '../domain/card.ts';
import { ISSUE_TRANSITIONS } from '../domain/item.machines.ts';
import type { ItemRow } from '../db/repo.ts';
import { stateLabel } from '../i18n/zh-CN.ts';
import { type ActInput, type KindSpec, type Outcome, act } from './act.ts';
import { responseClock } from './ask.ts';
import { clockDeadline } from './clocks.ts';
import { openPause, pauseClock, resumeClock } from './pause.ts';
import { type Ctx, nowMs, postCard, record, say } from './context.ts';
import { at, fmtTime, itemRef, showCommand, requestField } from './format.ts';

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

/** A button for one person that asks for a text first (what is missing, or what was missing). */
function textButton(item: ItemRow, label: string, action: 'needinfo' | 'supply', who: string, input: string): Card['buttons'][number] {
  return { label, style: action === 'supply' ? 'primary' : 'default', action, itemId: item.id, version: item.version, for: who, inputs: [{ name: 'answer', label: input, required: true }] };
}

function issueCard(item: ItemRow, tz: string): Card {
  const d = item.data as { severity: Severity; impact?: string; result?: string; evidence?: string; resolvedAt?: number; reopenReason?: string };
  const sev = d.severity ?? 'normal';
  const fields = [
    { label: '严重程度', value: SEVERITY_LABEL[sev] },
    { label: '责任人', value: item.ownerId ? at(item.ownerId) : '' },
    { label: '发起人', value: at(item.initiatorId) },
    { label: '计划解决', value: fmtTime(item.dueAt, tz) },
    ...requestField(item),
  ];
  if (d.impact) fields.push({ label: '影响', value: d.impact });
  if (d.result) fields.push({ label: '解决结果', value: d.result });
  if (d.evidence) fields.push({ label: '证据', value: d.evidence });
  if (d.resolvedAt) fields.push({ label: '实际解决', value: fmtTime(d.resolvedAt, tz) });
  const pause = item.state === 'info' ? openPause(item) : undefined;
  if (pause) fields.push({ label: '响应时限', value: `已暂停（自 ${fmtTime(pause.from, tz)} 起，等待 ${at(item.initiatorId)} 补充信息）` });
  const md: string[] = [];
  const buttons: Card['buttons'] = [];
  if (pause) {
    md.push(`⏸ ${at(pause.by)} 需补充信息：${pause.what}`, `请 ${at(item.initiatorId)} 点「补充信息」或发送 /补充 #${item.id} 内容；补充后响应时限恢复。`);
    buttons.push(textButton(item, '补充信息', 'supply', item.initiatorId, '补充内容 / Information'));
  } else if (item.state === 'verify') {
    md.push(`请 ${at(item.initiatorId)} 验证：通过则关闭（闭环），不通过请重开并写明原因。`);
    buttons.push(...verifyButtons(item));
  } else if (item.state === 'open' || item.state === 'working') {
    md.push(`请 ${at(item.ownerId!)} 在 ${fmtTime(item.clockAt ?? item.dueAt, tz)} 前响应处理；解决后发送 /解决 #${item.id} 结果 evidence:链接`);
    if (d.reopenReason) md.push(`↩️ 已重开：${d.reopenReason}`);
    if (item.state === 'open') {
      md.push(`信息不足时点「需补充信息」或发送 /补充 #${item.id} 需要什么（响应时限暂停）。`);
      if (item.ownerId) buttons.push(textButton(item, '需补充信息', 'needinfo', item.ownerId, '需要补充什么 / What is missing'));
    }
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

export function createIssue(ctx: Ctx, cmd: IssueCmd, parentId?: number): ItemRow {
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
    dueAt: cmd.due.getTime(),
    parentId: parentId ?? null,
    // The owner must respond (start work) within the response clock.
    clockAt: responseClock(ctx, urgent).getTime(),
    data: { text: cmd.text, severity: cmd.severity, impact: cmd.impact ?? null, ...(cmd.internal ? { internal: true } : {}) },
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
  guards: (f) => ({ hasResult: !!f.input.text?.trim(), hasReason: !!f.input.reason?.trim(), hasText: !!f.input.text?.trim() }),
  guardHint: { hasResult: '请填写解决结果', hasReason: '请填写重开原因', hasText: '请写明需要补充的信息或补充的内容' },
  patch(ctx, { item, input, actorId }, to) {
    const data = { ...item.data };
    // Waiting on the initiator pauses the response clock; the answer resumes it with the time it had left.
    if (input.action === 'needinfo') return { data: { ...data, pauses: pauseClock(ctx, item, actorId, input.text!) }, clockAt: null };
    if (input.action === 'supply') {
      const { pauses, clockAt } = resumeClock(ctx, item, input.text!);
      return { data: { ...data, pauses }, clockAt };
    }
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
    if (item.state === 'verify' && round) postCard(ctx, item, verifyCardKey(item.id, round), verifyCard(item, ctx.config.calendar.timezone), true, item.initiatorId);
  },
  after(ctx, item, from, f) {
    const tz = ctx.config.calendar.timezone;
    postCard(ctx, item, issueCardKey(item.id), issueCard(item, tz), true);
    const round = item.data.verifyRound as number | undefined;
    // A resolution asks in a new message; leaving verification updates that message in place.
    if (round && (item.state === 'verify' || from === 'verify')) {
      postCard(ctx, item, verifyCardKey(item.id, round), verifyCard(item, tz), from === 'verify', item.initiatorId);
    }
    const ref = itemRef(item.id);
    if (f.input.action === 'reopen') say(ctx, `${at(item.ownerId!)} 问题 ${ref} 验证未通过，已重开：${f.input.reason}`, item.id);
    if (f.input.action === 'verify') say(ctx, `问题 ${ref} 已验证关闭 ✅ ${at(item.ownerId!)}`, item.id);
    if (f.input.action === 'needinfo') {
      say(ctx, `⏸ ${at(item.initiatorId)} ${at(ctx.actor.id)} 需要补充信息才能处理问题 ${ref}：${f.input.text}（响应时限已暂停，发送 /补充 #${item.id} 内容 后恢复）`, item.id);
    }
    if (f.input.action === 'supply') {
      say(ctx, `▶️ ${at(item.ownerId!)} ${at(ctx.actor.id)} 已补充问题 ${ref} 的信息：${f.input.text}（响应时限恢复，请在 ${fmtTime(item.clockAt, ctx.config.calendar.timezone)} 前响应）`, item.id);
    }
  },
};

export function actOnIssue(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  return act(ctx, issueSpec, item, input);
}
