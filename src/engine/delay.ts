// 延期说明: the owner of a task or problem (or a contact of a request) asks to move its deadline,
// with a reason and an adjusted plan; the initiator approves or refuses on a card (or with
// `/延期 #N 批准|拒绝`). Only an approval moves the date. One note waits for an answer at a time,
// so a card and the command always answer the latest one.

import type { Command } from '../commands/types.ts';
import type { Card, CardButton } from '../domain/card.ts';
import type { ItemRow } from '../db/repo.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import type { ActInput, KindSpec, Outcome } from './act.ts';
import { affected } from './changes.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, ats, fmtTime, itemRef } from './format.ts';
import { issueSpec } from './issue.ts';
import { requestSpec } from './request.ts';
import { taskSpec } from './task.ts';

export const DELAY_ACTIONS: ReadonlySet<string> = new Set(['delay_ok', 'delay_no']);

/** Kinds whose deadline an owner may ask to move, and the states in which it still can move. */
const DELAYABLE: Record<string, { spec: KindSpec; live: ReadonlySet<string> }> = {
  request: { spec: requestSpec, live: new Set(['pending', 'objected', 'active', 'review', 'rework']) },
  task: { spec: taskSpec, live: new Set(['todo', 'doing', 'review']) },
  issue: { spec: issueSpec, live: new Set(['open', 'info', 'working', 'verify']) },
};

export interface DelayRecord {
  no: number;
  by: string;
  at: number;
  /** The deadline when the note was filed, and the one it asks for. */
  from: number | null;
  to: number;
  reason: string;
  plan: string;
  approver: string;
  status: 'pending' | 'approved' | 'refused' | 'lapsed';
  /** The item version the note was saved at: a card drawn before it answers an older note. */
  filedVersion: number;
  answeredAt?: number;
  answer?: string;
}

export function delayRecords(item: ItemRow): DelayRecord[] {
  return (item.data.delayNotes as DelayRecord[] | undefined) ?? [];
}

function cardKey(itemId: number, no: number): string {
  return `item:${itemId}:delay:${no}`;
}

/** 延期 when the date moves later (or there was none), 调整 when it moves earlier. */
function verb(rec: Pick<DelayRecord, 'from' | 'to'>): string {
  return rec.from !== null && rec.to < rec.from ? '调整' : '延期';
}

function tz(ctx: Ctx): string {
  return ctx.config.calendar.timezone;
}

/** Who may file: the owner of a task or problem; a contact (main or sub) of a request. */
function filers(ctx: Ctx, item: ItemRow): string[] {
  if (item.kind === 'request') return ctx.repo.people(item.id).filter((p) => p.role === 'contact' || p.role === 'sub').map((p) => p.userId);
  return item.ownerId ? [item.ownerId] : [];
}

/** `/延期 #N <when> reason: plan:` by the owner: records the note and asks the initiator. */
export function fileDelay(ctx: Ctx, item: ItemRow, cmd: Extract<Command, { name: 'delay'; due: Date }>): void {
  const name = KIND_LABEL[item.kind] ?? item.kind;
  const ref = itemRef(item.id, item.seqNo);
  const kind = DELAYABLE[item.kind];
  if (!kind) return reply(ctx, `${name} ${ref} 没有可延期的截止时间：延期说明用于需求、任务和问题。`, item.id);
  if (!kind.live.has(item.state)) return reply(ctx, `${name} ${ref} 已结束，不能再申请延期。`, item.id);
  // The initiator approves notes, so moves the date without one.
  if (item.initiatorId === ctx.actor.id) {
    return reply(ctx, `您是${name} ${ref} 的发起人，无需审批：请直接发送 /改期 #${item.id} <新时间> reason:<原因>。`, item.id);
  }
  const may = filers(ctx, item);
  if (!may.includes(ctx.actor.id)) {
    const who = item.kind === 'request' ? '对接人' : '责任人';
    return reply(ctx, `⛔ 无权操作：只有${who}${may.length ? ` ${ats(may)} ` : ''}可以为${name} ${ref} 提交延期说明。`, item.id);
  }
  const zone = tz(ctx);
  const now = nowMs(ctx);
  const due = cmd.due.getTime();
  if (due <= now) return reply(ctx, `❌ 新的截止时间 ${fmtTime(due, zone)} 已过：请写今后的时间，如 周五、12月8日、+2d。`, item.id);
  if (due === item.dueAt) return reply(ctx, `❌ ${name} ${ref} 的截止时间已是 ${fmtTime(due, zone)}，无需延期。`, item.id);
  const notes = delayRecords(item);
  const open = notes.find((n) => n.status === 'pending');
  // A pending note whose date has passed can no longer be approved: a new one replaces it.
  if (open && open.to > now) {
    return reply(ctx, `${name} ${ref} 的延期说明第 ${open.no} 号仍待 ${at(open.approver)} 审批（申请改为 ${fmtTime(open.to, zone)}），审批后再提交新的。`, item.id);
  }
  const rec: DelayRecord = {
    no: notes.length + 1, by: ctx.actor.id, at: now, from: item.dueAt, to: due, reason: cmd.reason, plan: cmd.plan,
    approver: item.initiatorId, status: 'pending', filedVersion: item.version + 1,
  };
  const data = { ...item.data, delayNotes: [...notes.map((n) => (n === open ? { ...n, status: 'lapsed' as const } : n)), rec] };
  if (!ctx.repo.updateItem(item.id, item.version, { data }, now)) return reply(ctx, `已处理：${name} ${ref} 刚刚已被他人修改，请重试。`, item.id);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'delay', item.state, item.state, { no: rec.no, from: rec.from, asked: rec.to, reason: rec.reason, plan: rec.plan });
  postCard(ctx, saved, cardKey(item.id, rec.no), delayCard(saved, rec, zone), false, saved.initiatorId);
  reply(
    ctx,
    `📝 已提交${name} ${ref} 的延期说明第 ${rec.no} 号（${verb(rec)}：${fmtTime(rec.from, zone)} → ${fmtTime(rec.to, zone)}），已请 ${at(rec.approver)} 审批。批准前截止时间仍为 ${fmtTime(rec.from, zone)}。`,
    item.id,
  );
}

/** `/延期 #N 批准|拒绝 …`: the initiator answers by command (platforms whose cards carry no buttons). */
export function answerDelay(ctx: Ctx, item: ItemRow, cmd: Extract<Command, { name: 'delay'; answer: string }>): void {
  const out = decideDelay(ctx, item, { action: cmd.answer === 'approve' ? 'delay_ok' : 'delay_no', reason: cmd.reason });
  reply(ctx, out.ok ? out.toast : out.message, item.id);
}

/** A click on a delay card: only the initiator it names counts; 拒绝 needs a reason. */
export function delayCardAction(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  if (input.forUser && input.forUser !== ctx.actor.id) return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  return decideDelay(ctx, item, input);
}

function decideDelay(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  const name = KIND_LABEL[item.kind] ?? item.kind;
  const ref = itemRef(item.id, item.seqNo);
  const zone = tz(ctx);
  const now = nowMs(ctx);
  const notes = delayRecords(item);
  const rec = notes.find((n) => n.status === 'pending');
  const kind = DELAYABLE[item.kind];
  if (!rec || !kind) return { ok: false, stale: true, message: `已处理：${name} ${ref} 没有待审批的延期说明。` };
  if (input.cardVersion !== undefined && input.cardVersion < rec.filedVersion) {
    return { ok: false, stale: true, message: `已处理：这张卡片是较早的延期说明，请在第 ${rec.no} 号的卡片上审批。` };
  }
  if (rec.approver !== ctx.actor.id) return { ok: false, message: `⛔ 无权操作：只有发起人 ${at(rec.approver)} 可以审批${name} ${ref} 的延期说明。` };
  const approve = input.action === 'delay_ok';
  const answer = input.reason?.trim();
  if (!approve && !answer) return { ok: false, message: '拒绝需要说明：请填写拒绝原因。' };
  if (approve && !kind.live.has(item.state)) return { ok: false, message: `${name} ${ref} 已结束，无需再改期；请拒绝这份延期说明并写明原因。` };
  if (approve && rec.to <= now) return { ok: false, message: `申请的新时间 ${fmtTime(rec.to, zone)} 已过，不能批准：请拒绝并写明原因，或请 ${at(rec.by)} 重新提交。` };
  const answered: DelayRecord = { ...rec, status: approve ? 'approved' : 'refused', answeredAt: now, ...(answer ? { answer } : {}) };
  const data = { ...item.data, delayNotes: notes.map((n) => (n.no === rec.no ? answered : n)) };
  const patch = approve ? { data, dueAt: rec.to } : { data };
  if (!ctx.repo.updateItem(item.id, item.version, patch, now)) return { ok: false, stale: true, message: `已处理：${name} ${ref} 刚刚已被他人处理。` };
  const saved = ctx.repo.getItem(item.id)!;
  const detail = approve
    ? { no: rec.no, from: item.dueAt, newDue: rec.to, reason: rec.reason, plan: rec.plan }
    : { no: rec.no, reason: answer, delayReason: rec.reason, plan: rec.plan, asked: rec.to };
  record(ctx, saved, input.action, item.state, item.state, detail);
  postCard(ctx, saved, cardKey(item.id, rec.no), delayCard(saved, answered, zone), true, saved.initiatorId);
  // The item's other cards show the deadline: redrawn at the new version.
  if (approve) kind.spec.refresh(ctx, saved);
  const what = `${name} ${ref}「${item.title}」`;
  if (approve) {
    say(
      ctx,
      `📅 延期说明第 ${rec.no} 号已由 ${at(ctx.actor.id)} 批准：${what}截止时间由 ${fmtTime(item.dueAt, zone)} 改为 ${fmtTime(rec.to, zone)}。` +
        `原因：${rec.reason}；调整计划：${rec.plan}。${ats(affected(ctx, saved))}`,
      item.id,
    );
  } else {
    say(ctx, `${at(rec.by)} 延期说明第 ${rec.no} 号未获 ${at(ctx.actor.id)} 批准：${answer}。${what}截止时间仍为 ${fmtTime(item.dueAt, zone)}。`, item.id);
  }
  return { ok: true, item: saved, toast: approve ? `已批准：截止时间改为 ${fmtTime(rec.to, zone)}。` : `已拒绝：截止时间仍为 ${fmtTime(item.dueAt, zone)}。` };
}

function delayCard(item: ItemRow, rec: DelayRecord, zone: string): Card {
  const name = KIND_LABEL[item.kind] ?? item.kind;
  const ref = itemRef(item.id, item.seqNo);
  const buttons: CardButton[] = [];
  let md: string;
  if (rec.status === 'pending') {
    md =
      `请 ${at(rec.approver)} 审批：批准后截止时间改为 ${fmtTime(rec.to, zone)}；拒绝须写明原因，截止时间保持 ${fmtTime(rec.from, zone)}。` +
      `也可发送 /延期 #${item.id} 批准 或 /延期 #${item.id} 拒绝 原因:<原因>。`;
    const base = { itemId: item.id, version: item.version, for: rec.approver };
    buttons.push(
      { label: '批准延期', style: 'primary', action: 'delay_ok', ...base },
      { label: '拒绝', style: 'danger', action: 'delay_no', ...base, inputs: [{ name: 'reason', label: '拒绝原因 / Reason', placeholder: '为什么不能改期', required: true }] },
    );
  } else if (rec.status === 'approved') {
    md = `✅ ${at(rec.approver)} 已批准（${fmtTime(rec.answeredAt, zone)}）：截止时间改为 ${fmtTime(rec.to, zone)}`;
  } else if (rec.status === 'refused') {
    md = `❌ ${at(rec.approver)} 未批准（${fmtTime(rec.answeredAt, zone)}）：${rec.answer ?? ''}；截止时间仍为 ${fmtTime(rec.from, zone)}`;
  } else {
    md = '该延期说明已失效（申请的时间已过，已提交新的延期说明）。';
  }
  const tag = { pending: '待审批', approved: '已批准', refused: '未批准', lapsed: '已失效' }[rec.status];
  const color = rec.status === 'pending' ? 'orange' : rec.status === 'approved' ? 'green' : rec.status === 'refused' ? 'red' : 'grey';
  return {
    header: { title: `【延期说明】${name} ${ref} ${item.title} · 第 ${rec.no} 号`, color, tag },
    fields: [
      { label: '申请人', value: at(rec.by) },
      { label: '原截止', value: fmtTime(rec.from, zone) },
      { label: `${verb(rec)}至`, value: fmtTime(rec.to, zone) },
      { label: '延期原因', value: rec.reason },
      { label: '调整计划', value: rec.plan },
    ],
    markdown: [md],
    buttons,
    mentions: [{ id: rec.approver, name: rec.approver }],
    summary: `${name} ${ref} 延期说明待审批`,
    more: `/查看 #${item.id}`,
  };
}

/** The item's delay notes for /查看, newest last. */
export function delayLines(item: ItemRow, zone: string): string[] {
  const mark = { pending: '⏳ 待审批', approved: '✅ 已批准', refused: '❌ 未批准', lapsed: '⌛ 已失效' };
  return delayRecords(item).map(
    (n) =>
      `- 第 ${n.no} 号 ${mark[n.status]}${n.status === 'pending' ? `（审批人 ${at(n.approver)}）` : ''}：${at(n.by)} 申请${verb(n)} ${fmtTime(n.from, zone)} → ${fmtTime(n.to, zone)}；` +
      `原因：${n.reason}；调整计划：${n.plan}${n.answer ? `；审批意见：${n.answer}` : ''}`,
  );
}
