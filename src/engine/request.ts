// Requests (需求): create, confirm/object, submit, accept/reject, close, cancel, reopen.

import type { Command } from '../commands/types.ts';
import { REQUEST_TRANSITIONS, type RequestFacts, requestGuards } from '../domain/request.machine.ts';
import type { ItemRow, PersonRow } from '../db/repo.ts';
import { type ActInput, type Facts, type KindSpec, type Outcome, act } from './act.ts';
import { confirmCard, confirmCardKey, reviewCard, reviewCardKey, type ReviewRecord } from './cards.ts';
import { clockDeadline } from './clocks.ts';
import { subClock, subLinks } from '../domain/sides.ts';
import { refreshSubCards } from './sub-contacts.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, ats, fmtTime, itemRef } from './format.ts';
import { LEADER_ROLE } from './leaders.ts';
import { announceFirstStage, firstStage, postRequestCard, refreshRequestCard, resolveType, stageForState } from './stage.ts';

type ReqCmd = Extract<Command, { name: 'req' }>;

export function createRequest(ctx: Ctx, cmd: ReqCmd): ItemRow | undefined {
  const type = resolveType(ctx, cmd.type);
  if (typeof type === 'string') return void reply(ctx, type);
  const first = firstStage(ctx, type);
  const t = nowMs(ctx);
  const chat = ctx.repo.getChat(ctx.chatId);
  const year = ctx.calendar.localDay(ctx.now).slice(0, 4);
  const seqNo = chat?.project && chat.dept ? `${year}-${chat.dept.slice(0, 1)}-${String(ctx.repo.nextCounter(`req:${year}:${chat.dept}`)).padStart(3, '0')}` : null;
  const item = ctx.repo.insertItem({
    kind: 'request',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: cmd.title,
    state: 'pending',
    initiatorId: ctx.actor.id,
    ownerId: ctx.actor.id,
    priority: cmd.pri,
    urgent: cmd.urgency === 'urgent' || type.urgent,
    dueAt: cmd.due?.getTime() ?? null,
    clockAt: clockDeadline(ctx, 'confirm').getTime(),
    seqNo,
    process: type.id,
    stage: first.stage,
    stageDueAt: first.stageDueAt,
    data: { std: cmd.std ?? null, background: cmd.background ?? null, counterparty: cmd.counterparty ?? null, stages: first.stages },
    createdAt: t,
    updatedAt: t,
  });
  for (const u of cmd.to) ctx.repo.addPerson(item.id, u.id, 'contact', t);
  // The request's own leader is the type's 负责人 role, the one `/对接 role:负责人` sets.
  if (cmd.lead) ctx.repo.addPerson(item.id, cmd.lead.id, LEADER_ROLE, t, undefined, 'confirmed');
  record(ctx, item, 'create', null, 'pending', { title: cmd.title, contacts: cmd.to.map((u) => u.id), due: item.dueAt, ...(cmd.lead ? { leader: cmd.lead.id } : {}) });
  reply(
    ctx,
    `已发起需求 ${itemRef(item.id, seqNo)}「${cmd.title}」，截止 ${fmtTime(item.dueAt, tz(ctx))}。已请 ${ats(cmd.to.map((u) => u.id))} 确认对接。${cmd.lead ? `本需求负责人：${at(cmd.lead.id)}。` : ''}`,
    item.id,
  );
  for (const p of ctx.repo.people(item.id)) postCard(ctx, item, confirmCardKey(item.id, p.userId), confirmCard(item, p, tz(ctx)), false, p.userId);
  // A request whose type was chosen is told its stages and gets a request card with the stepper;
  // the default type keeps its usual messages.
  if (cmd.type !== undefined) {
    announceFirstStage(ctx, item, type);
    postRequestCard(ctx, item);
  }
  return item;
}

function tz(ctx: Ctx): string {
  return ctx.config.calendar.timezone;
}

function contacts(people: PersonRow[]): PersonRow[] {
  return people.filter((p) => p.role === 'contact');
}

/** Contact statuses as they would be after this action. */
function contactsAfter(f: Facts): RequestFacts['contactsAfter'] {
  const { action } = f.input;
  return contacts(f.people).map((p) =>
    p.userId === f.actorId ? (action === 'confirm' ? 'confirmed' : action === 'object' ? 'objected' : p.status) : p.status,
  ) as RequestFacts['contactsAfter'];
}

export const requestSpec: KindSpec = {
  kind: 'request',
  table: REQUEST_TRANSITIONS,
  roles({ item, people, actorId }) {
    const roles = new Set<string>();
    if (item.initiatorId === actorId) roles.add('initiator');
    const mine = contacts(people).find((p) => p.userId === actorId);
    if (mine) {
      roles.add('contact');
      if (mine.status !== 'confirmed') roles.add('pendingContact');
    }
    return roles;
  },
  guards: (f) => requestGuards({ contactsAfter: contactsAfter(f), reason: f.input.reason, newDue: f.newDue }),
  guardHint: { hasReason: '请填写原因', hasReasonAndDate: '请填写驳回原因和新期限' },
  alreadyDone: (f) => f.input.action === 'confirm' && contacts(f.people).some((p) => p.userId === f.actorId && p.status === 'confirmed'),
  patch(ctx, f, to) {
    const { item, input, newDue, actorId } = f;
    const data = { ...item.data };
    const patch: Partial<ItemRow> = {};
    if (input.action === 'submit') {
      const round = ((data.round as number | undefined) ?? 0) + 1;
      Object.assign(data, { round, deliverable: input.text, evidence: input.evidence ?? null, submittedBy: actorId });
      patch.clockAt = clockDeadline(ctx, 'accept').getTime();
    }
    if (input.action === 'accept' || input.action === 'reject') {
      const rec: ReviewRecord = {
        round: (data.round as number | undefined) ?? 1,
        result: input.action,
        by: actorId,
        at: nowMs(ctx),
        reason: input.reason,
        newDue: newDue?.getTime(),
      };
      data.reviews = [...((data.reviews as ReviewRecord[] | undefined) ?? []), rec];
      patch.clockAt = null;
      if (newDue) patch.dueAt = newDue.getTime();
    }
    if (to === 'active' || to === 'cancelled' || to === 'closed' || to === 'accepted') patch.clockAt = null;
    // Closed without a retrospective: the initiator owes one within the retro clock.
    if (to === 'closed' && !data.retro) patch.clockAt = clockDeadline(ctx, 'retro').getTime();
    // In 执行 the request's clock waits only on sub-contacts who have not confirmed their duty.
    if (to === 'active' || to === 'rework') patch.clockAt = subClock(f.people, subLinks(data));
    if (input.action === 'reopen') data.reopenReason = input.reason ?? null;
    Object.assign(patch, stageForState(ctx, item, to, data));
    patch.data = data;
    return patch;
  },
  refresh(ctx, item) {
    const zone = tz(ctx);
    if (item.state === 'pending' || item.state === 'objected') {
      for (const p of contacts(ctx.repo.people(item.id))) postCard(ctx, item, confirmCardKey(item.id, p.userId), confirmCard(item, p, zone), true, p.userId);
    }
    const round = (item.data.round as number | undefined) ?? 1;
    if (item.state === 'review') postCard(ctx, item, reviewCardKey(item.id, round), reviewCard(item, round, item.initiatorId, zone), true, item.initiatorId);
  },
  after(ctx, item, from, f) {
    const { action } = f.input;
    if (action === 'confirm' || action === 'object') {
      ctx.repo.setPersonStatus(item.id, ctx.actor.id, 'contact', action === 'confirm' ? 'confirmed' : 'objected', nowMs(ctx), f.input.reason);
    }
    announce(ctx, item, from, f.input);
    if (item.state === 'closed' || item.state === 'cancelled') refreshSubCards(ctx, item);
    refreshRequestCard(ctx, item);
  },
};

/** Applies one request action by ctx.actor. */
export function actOnRequest(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  return act(ctx, requestSpec, item, input);
}

/** The messages an applied action causes. */
function announce(ctx: Ctx, item: ItemRow, from: string, input: ActInput): void {
  const ref = itemRef(item.id, item.seqNo);
  const people = ctx.repo.people(item.id);
  const contactIds = contacts(people).map((p) => p.userId);
  const zone = tz(ctx);
  const round = (item.data.round as number | undefined) ?? 1;
  const refreshConfirmCards = () => {
    for (const p of contacts(people)) postCard(ctx, item, confirmCardKey(item.id, p.userId), confirmCard(item, p, zone), true, p.userId);
  };
  switch (input.action) {
    case 'confirm':
    case 'object':
      refreshConfirmCards();
      if (input.action === 'object') say(ctx, `${at(item.initiatorId)} 需求 ${ref}：${at(ctx.actor.id)} 提出异议：${input.reason}`, item.id);
      else if (item.state === 'active') {
        say(ctx, `需求 ${ref}「${item.title}」对接人已全部确认，进入【进行中】。${at(item.initiatorId)} ${ats(contactIds)}`, item.id);
      }
      break;
    case 'submit':
      postCard(ctx, item, reviewCardKey(item.id, round), reviewCard(item, round, item.initiatorId, zone), false, item.initiatorId);
      break;
    case 'accept':
    case 'reject': {
      postCard(ctx, item, reviewCardKey(item.id, round), reviewCard(item, round, item.initiatorId, zone), true, item.initiatorId);
      const submitter = (item.data.submittedBy as string | undefined) ?? contactIds[0];
      say(
        ctx,
        input.action === 'accept'
          ? `需求 ${ref} 已验收通过 ✅ ${submitter ? at(submitter) : ''}`
          : `${submitter ? at(submitter) : ''} 需求 ${ref} 被驳回：${input.reason}。请在 ${fmtTime(item.dueAt, zone)} 前整改后重新提交。`,
        item.id,
      );
      break;
    }
    case 'close': {
      const retro = item.clockAt === null ? '' : `\n${at(item.initiatorId)} 请在 ${fmtTime(item.clockAt, zone)} 前发送 /复盘 #${item.id} good:做得好 bad:不足 improve:改进`;
      say(ctx, `需求 ${ref}「${item.title}」已关闭 🎉 ${ats(contactIds)}${retro}`, item.id);
      break;
    }
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
