// Tasks (任务): created by /task, by a /note todo or a minutes decision; progress updates;
// /submit sends an acceptance card to whoever assigned it; accept/reject on the card.

import type { Card, CardButton } from '../domain/card.ts';
import type { UserRef } from '../domain/chat.ts';
import { TASK_TRANSITIONS } from '../domain/item.machines.ts';
import type { ItemRow } from '../db/repo.ts';
import { type KindSpec, act, type ActInput, type Outcome } from './act.ts';
import { type ReviewRecord, reviewButtons } from './cards.ts';
import { clockDeadline } from './clocks.ts';
import { type Ctx, nowMs, postCard, record, say } from './context.ts';
import { at, ats, fmtTime, itemRef, showCommand } from './format.ts';
import { stateLabel } from '../i18n/zh-CN.ts';

export interface NewTask {
  title: string;
  owner: UserRef;
  helpers?: UserRef[];
  due?: Date;
  std?: string;
  parentId?: number;
  /** Where the task came from, for the record: 'task' | 'todo' | 'decision'. */
  source: string;
}

/** Creates a task owned by `owner`, reviewed by the actor (who assigned it). */
export function createTask(ctx: Ctx, t: NewTask, announceIt = true): ItemRow {
  const now = nowMs(ctx);
  const item = ctx.repo.insertItem({
    kind: 'task',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: t.title,
    state: 'todo',
    initiatorId: ctx.actor.id,
    ownerId: t.owner.id,
    dueAt: t.due?.getTime() ?? null,
    parentId: t.parentId ?? null,
    data: { std: t.std ?? null, pct: 0, source: t.source },
    createdAt: now,
    updatedAt: now,
  });
  ctx.repo.addPerson(item.id, t.owner.id, 'owner', now, undefined, 'confirmed');
  ctx.repo.addPerson(item.id, ctx.actor.id, 'reviewer', now, undefined, 'confirmed');
  for (const h of t.helpers ?? []) ctx.repo.addPerson(item.id, h.id, 'helper', now, undefined, 'confirmed');
  record(ctx, item, 'create', null, 'todo', { title: t.title, owner: t.owner.id, due: item.dueAt, source: t.source });
  if (announceIt) {
    const helpers = t.helpers?.length ? `，协作人 ${ats(t.helpers.map((h) => h.id))}` : '';
    say(
      ctx,
      `📌 新任务 ${itemRef(item.id)}「${t.title}」：责任人 ${at(t.owner.id)}${helpers}，截止 ${fmtTime(item.dueAt, ctx.config.calendar.timezone)}` +
        (t.parentId ? `（属于 #${t.parentId}）` : '') +
        `。更新进度：/进度 #${item.id} 50%`,
      item.id,
    );
  }
  return item;
}

export function taskReviewCardKey(id: number, round: number): string {
  return `item:${id}:taskreview:${round}`;
}

function taskReviewCard(item: ItemRow, round: number, tz: string): Card {
  const d = item.data as { deliverable?: string; evidence?: string; reviews?: ReviewRecord[]; std?: string };
  const done = d.reviews?.find((r) => r.round === round);
  const reviewer = item.initiatorId;
  const buttons: CardButton[] = [];
  let md: string;
  if (done) {
    md = done.result === 'accept' ? `✅ ${at(done.by)} 已验收通过` : `❌ ${at(done.by)} 已驳回：${done.reason ?? ''}\n新期限：${fmtTime(done.newDue, tz)}`;
  } else if (item.state === 'review') {
    md = `请 ${at(reviewer)} 在 ${fmtTime(item.clockAt, tz)} 前验收。`;
    buttons.push(...reviewButtons(item, reviewer));
  } else {
    md = `当前状态：${stateLabel(item.state)}`;
  }
  return {
    header: {
      title: `【任务验收】${itemRef(item.id)} ${item.title}`,
      color: done ? (done.result === 'accept' ? 'green' : 'red') : 'orange',
      tag: done ? (done.result === 'accept' ? '已验收' : '已驳回') : stateLabel(item.state),
    },
    fields: [
      { label: '责任人', value: item.ownerId ? at(item.ownerId) : '' },
      { label: '交付物', value: d.deliverable ?? '' },
      ...(d.evidence ? [{ label: '证据', value: d.evidence }] : []),
      ...(d.std ? [{ label: '交付标准', value: d.std }] : []),
      { label: '截止', value: fmtTime(item.dueAt, tz) },
    ],
    markdown: [md],
    buttons,
    mentions: [],
    summary: `任务 ${itemRef(item.id)} 待验收`,
    more: showCommand(item.id),
  };
}

export const taskSpec: KindSpec = {
  kind: 'task',
  table: TASK_TRANSITIONS,
  roles({ item, people, actorId }) {
    const r = new Set<string>();
    if (item.ownerId === actorId) r.add('owner');
    if (item.initiatorId === actorId) r.add('reviewer');
    if (people.some((p) => p.role === 'helper' && p.userId === actorId)) r.add('helper');
    return r;
  },
  guards: (f) => ({ hasReasonAndDate: !!f.input.reason?.trim() && f.newDue !== undefined }),
  guardHint: { hasReasonAndDate: '请填写驳回原因和新期限' },
  patch(ctx, { item, input, actorId, newDue }, to) {
    const data = { ...item.data };
    const patch: Partial<ItemRow> = {};
    if (input.action === 'progress') {
      Object.assign(data, { pct: input.pct ?? data.pct, risk: input.risk ?? data.risk ?? null, plan: input.plan ?? data.plan ?? null, lastUpdateAt: nowMs(ctx) });
    }
    if (input.action === 'submit') {
      const round = ((data.round as number | undefined) ?? 0) + 1;
      Object.assign(data, { round, deliverable: input.text, evidence: input.evidence ?? null, pct: 100, lastUpdateAt: nowMs(ctx) });
      patch.clockAt = clockDeadline(ctx, 'accept').getTime();
    }
    if (input.action === 'accept' || input.action === 'reject') {
      const rec: ReviewRecord = { round: (data.round as number) ?? 1, result: input.action, by: actorId, at: nowMs(ctx), reason: input.reason, newDue: newDue?.getTime() };
      data.reviews = [...((data.reviews as ReviewRecord[] | undefined) ?? []), rec];
      patch.clockAt = null;
      // A rejection sets the date the revised delivery is due.
      if (input.action === 'reject' && newDue) patch.dueAt = newDue.getTime();
    }
    if (to === 'done' || to === 'cancelled') patch.clockAt = null;
    patch.data = data;
    return patch;
  },
  refresh(ctx, item) {
    const round = (item.data.round as number | undefined) ?? 1;
    if (item.state === 'review') postCard(ctx, item, taskReviewCardKey(item.id, round), taskReviewCard(item, round, ctx.config.calendar.timezone), true, item.initiatorId);
  },
  after(ctx, item, _from, f) {
    const ref = itemRef(item.id);
    const tz = ctx.config.calendar.timezone;
    const round = (item.data.round as number | undefined) ?? 1;
    switch (f.input.action) {
      case 'progress':
        // A risk is news for whoever assigned the task.
        if (f.input.risk) {
          say(ctx, `${at(item.initiatorId)} ⚠️ 任务 ${ref} 进度 ${item.data.pct as number}%，风险：${f.input.risk}${f.input.plan ? `；措施：${f.input.plan}` : ''}`, item.id);
        }
        break;
      case 'submit':
        postCard(ctx, item, taskReviewCardKey(item.id, round), taskReviewCard(item, round, tz), false, item.initiatorId);
        break;
      case 'accept':
      case 'reject':
        postCard(ctx, item, taskReviewCardKey(item.id, round), taskReviewCard(item, round, tz), true, item.initiatorId);
        say(
          ctx,
          f.input.action === 'accept'
            ? `任务 ${ref} 已验收完成 ✅ ${at(item.ownerId!)}`
            : `${at(item.ownerId!)} 任务 ${ref} 被驳回：${f.input.reason}。请在 ${fmtTime(item.dueAt, tz)} 前整改后重新提交。`,
          item.id,
        );
        break;
      case 'cancel':
      case 'reopen':
        say(ctx, `任务 ${ref} 已${f.input.action === 'cancel' ? '取消' : '重开'}${f.input.reason ? `：${f.input.reason}` : ''}。${at(item.ownerId!)}`, item.id);
        break;
    }
  },
};

export function actOnTask(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  return act(ctx, taskSpec, item, input);
}
