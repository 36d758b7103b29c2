// Requests (需求): create, confirm/object, submit, accept/reject, close, cancel, reopen.
// Each function runs inside the engine's transaction; it decides with the pure machine, applies
// the change with a version check, and writes audit and outbox rows.

import type { Command } from '../commands/types.ts';
import { parseWhen } from '../domain/when.ts';
import {
  type RequestAction,
  type RequestRole,
  type RequestState,
  decideRequest,
} from '../domain/request.machine.ts';
import type { ItemRow, PersonRow } from '../db/repo.ts';
import { ACTION_LABEL, ROLE_LABEL, stateLabel } from '../i18n/zh-CN.ts';
import {
  confirmCard,
  confirmCardKey,
  reviewCard,
  reviewCardKey,
  type ReviewRecord,
} from './cards.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, ats, fmtTime, itemRef } from './format.ts';

export type Outcome = { ok: true; item: ItemRow; toast: string } | { ok: false; message: string; stale?: boolean };

type ReqCmd = Extract<Command, { name: 'req' }>;

export function createRequest(ctx: Ctx, cmd: ReqCmd): ItemRow {
  const t = nowMs(ctx);
  const chat = ctx.repo.getChat(ctx.chatId);
  const seqNo =
    chat?.project && chat.dept
      ? seedNumber(ctx.now, chat.dept, ctx.repo.nextCounter(`req:${ctx.now.getUTCFullYear()}:${chat.dept}`))
      : null;
  const item = ctx.repo.insertItem({
    kind: 'request',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: cmd.title,
    state: 'pending',
    initiatorId: ctx.actor.id,
    ownerId: ctx.actor.id,
    priority: cmd.pri,
    urgent: cmd.urgency === 'urgent',
    dueAt: cmd.due?.getTime() ?? null,
    // Contacts confirm within 1 working day.
    clockAt: ctx.calendar.addWorkingDays(ctx.now, 1).getTime(),
    seqNo,
    data: { std: cmd.std ?? null, background: cmd.background ?? null },
    createdAt: t,
    updatedAt: t,
  });
  for (const u of cmd.to) ctx.repo.addPerson(item.id, u.id, 'contact', t);
  record(ctx, item, 'create', null, 'pending', { title: cmd.title, contacts: cmd.to.map((u) => u.id), due: item.dueAt });
  reply(
    ctx,
    `已发起需求 ${itemRef(item.id, seqNo)}「${cmd.title}」，截止 ${fmtTime(item.dueAt, ctx.config.calendar.timezone)}。` +
      `已请 ${ats(cmd.to.map((u) => u.id))} 确认对接。`,
    item.id,
  );
  for (const p of ctx.repo.people(item.id)) postCard(ctx, item, confirmCardKey(item.id, p.userId), confirmCard(item, p, tz(ctx)));
  return item;
}

function seedNumber(now: Date, dept: string, n: number): string {
  return `${now.getUTCFullYear()}-${dept.slice(0, 1)}-${String(n).padStart(3, '0')}`;
}

function tz(ctx: Ctx): string {
  return ctx.config.calendar.timezone;
}

function contacts(people: PersonRow[]): PersonRow[] {
  return people.filter((p) => p.role === 'contact');
}

function rolesOf(item: ItemRow, people: PersonRow[], userId: string): Set<RequestRole> {
  const roles = new Set<RequestRole>();
  if (item.initiatorId === userId) roles.add('initiator');
  const mine = contacts(people).find((p) => p.userId === userId);
  if (mine) {
    roles.add('contact');
    if (mine.status !== 'confirmed') roles.add('pendingContact');
  }
  return roles;
}

export interface ActionInput {
  action: RequestAction;
  reason?: string;
  /** Raw text of a new date (from a card input), parsed in the configured zone. */
  dueText?: string;
  /** The user a clicked button was meant for. */
  forUser?: string;
  /** Version of the card that was clicked. */
  cardVersion?: number;
  deliverable?: string;
  evidence?: string;
}

/** Applies one request action by ctx.actor; returns what to tell the actor. */
export function actOnRequest(ctx: Ctx, item: ItemRow, input: ActionInput): Outcome {
  const { action } = input;
  if (input.forUser && input.forUser !== ctx.actor.id) {
    return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  }
  const people = ctx.repo.people(item.id);
  const state = item.state as RequestState;
  const roles = rolesOf(item, people, ctx.actor.id);
  const newDue = input.dueText ? parseWhen(input.dueText, whenOpts(ctx)) : undefined;
  if (input.dueText && !newDue) {
    return { ok: false, message: `无法识别的新期限：${input.dueText}（示例：周五、12月1日、+2d）` };
  }
  const contactsAfter = contacts(people).map((p) =>
    p.userId === ctx.actor.id ? (action === 'confirm' ? 'confirmed' : action === 'object' ? 'objected' : p.status) : p.status,
  ) as Array<'pending' | 'confirmed' | 'objected'>;
  const d = decideRequest(state, action, { roles, contactsAfter, reason: input.reason, newDue });
  const ref = itemRef(item.id, item.seqNo);
  if (!d.ok) {
    if (d.reason === 'forbidden') {
      return { ok: false, message: `⛔ 无权操作：只有${d.who.map((w) => ROLE_LABEL[w]).join('或')}可以${ACTION_LABEL[action]}需求 ${ref}。` };
    }
    if (d.reason === 'guard') {
      const need = d.guard === 'hasReasonAndDate' ? '请填写驳回原因和新期限' : '请填写原因';
      return { ok: false, message: `${ACTION_LABEL[action]}需要说明：${need}。` };
    }
    // Not allowed in this state: a double click or a card clicked after someone else acted.
    const already = input.cardVersion !== undefined && input.cardVersion < item.version;
    const mineDone = action === 'confirm' && people.some((p) => p.userId === ctx.actor.id && p.status === 'confirmed');
    if (already || mineDone) {
      return { ok: false, stale: true, message: `已处理：需求 ${ref} 当前状态为【${stateLabel(state)}】，无需重复操作。` };
    }
    return { ok: false, message: `需求 ${ref} 当前状态为【${stateLabel(state)}】，不能${ACTION_LABEL[action]}。` };
  }

  const t = nowMs(ctx);
  const data = { ...item.data };
  const patch: Partial<ItemRow> = { state: d.to };
  let round = 0;
  if (action === 'submit') {
    round = ((data.round as number | undefined) ?? 0) + 1;
    Object.assign(data, { round, deliverable: input.deliverable, evidence: input.evidence ?? null, submittedBy: ctx.actor.id });
    // The reviewer answers within 1 working day.
    patch.clockAt = ctx.calendar.addWorkingDays(ctx.now, 1).getTime();
  }
  if (action === 'accept' || action === 'reject') {
    round = (data.round as number | undefined) ?? 1;
    const rec: ReviewRecord = { round, result: action, by: ctx.actor.id, at: t, reason: input.reason, newDue: newDue?.getTime() };
    data.reviews = [...((data.reviews as ReviewRecord[] | undefined) ?? []), rec];
    patch.clockAt = null;
    if (newDue) patch.dueAt = newDue.getTime();
  }
  if (d.to === 'active' && (state === 'pending' || state === 'objected')) patch.clockAt = null;
  if (action === 'cancel' || action === 'close') patch.clockAt = null;
  if (action === 'reopen') data.reopenReason = input.reason ?? null;
  patch.data = data;
  if (!ctx.repo.updateItem(item.id, item.version, patch, t)) {
    return { ok: false, stale: true, message: `已处理：需求 ${ref} 刚刚已被他人处理。` };
  }
  if (action === 'confirm' || action === 'object') {
    ctx.repo.setPersonStatus(item.id, ctx.actor.id, 'contact', action === 'confirm' ? 'confirmed' : 'objected', t, input.reason);
  }
  const after = ctx.repo.getItem(item.id)!;
  record(ctx, after, action, state, d.to, {
    reason: input.reason ?? undefined,
    newDue: newDue?.getTime(),
    deliverable: input.deliverable,
    evidence: input.evidence,
  });
  announce(ctx, after, action, state, round, input);
  return { ok: true, item: after, toast: `${ACTION_LABEL[action]}成功：需求 ${ref} 现为【${stateLabel(after.state)}】。` };
}

function whenOpts(ctx: Ctx) {
  return { now: ctx.now, timezone: tz(ctx), defaultDueTime: ctx.config.calendar.defaultDueTime };
}

/** The messages an applied action causes. */
function announce(ctx: Ctx, item: ItemRow, action: RequestAction, from: RequestState, round: number, input: ActionInput): void {
  const ref = itemRef(item.id, item.seqNo);
  const people = ctx.repo.people(item.id);
  const contactIds = contacts(people).map((p) => p.userId);
  const zone = tz(ctx);
  const refreshConfirmCards = () => {
    for (const p of contacts(people)) postCard(ctx, item, confirmCardKey(item.id, p.userId), confirmCard(item, p, zone), true);
  };
  switch (action) {
    case 'confirm':
    case 'object': {
      refreshConfirmCards();
      if (action === 'object') {
        say(ctx, `${at(item.initiatorId)} 需求 ${ref}：${at(ctx.actor.id)} 提出异议：${input.reason}`, item.id);
      } else if (item.state === 'active') {
        say(ctx, `需求 ${ref}「${item.title}」对接人已全部确认，进入【进行中】。${at(item.initiatorId)} ${ats(contactIds)}`, item.id);
      }
      break;
    }
    case 'submit':
      postCard(ctx, item, reviewCardKey(item.id, round), reviewCard(item, round, item.initiatorId, zone));
      break;
    case 'accept':
    case 'reject': {
      postCard(ctx, item, reviewCardKey(item.id, round), reviewCard(item, round, item.initiatorId, zone), true);
      const submitter = (item.data.submittedBy as string | undefined) ?? contactIds[0];
      say(
        ctx,
        action === 'accept'
          ? `需求 ${ref} 已验收通过 ✅ ${submitter ? at(submitter) : ''}`
          : `${submitter ? at(submitter) : ''} 需求 ${ref} 被驳回：${input.reason}。请在 ${fmtTime(item.dueAt, zone)} 前整改后重新提交。`,
        item.id,
      );
      break;
    }
    case 'close':
      say(ctx, `需求 ${ref}「${item.title}」已关闭 🎉 ${ats(contactIds)}`, item.id);
      break;
    case 'cancel':
      if (from === 'pending' || from === 'objected') refreshConfirmCards();
      say(ctx, `需求 ${ref} 已取消${input.reason ? `：${input.reason}` : ''}。${ats(contactIds)}`, item.id);
      break;
    case 'reopen':
      say(ctx, `需求 ${ref} 已重开，回到【进行中】${input.reason ? `：${input.reason}` : ''}。${ats(contactIds)}`, item.id);
      break;
  }
}
