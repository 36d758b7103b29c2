// Meeting minutes (会议纪要) and communication notes (沟通记录). Each minutes decision and each
// note todo becomes a tracked task; attendees confirm the minutes on a card.

import type { Command } from '../commands/types.ts';
import type { Card } from '../domain/card.ts';
import { MINUTES_CONFIRMERS, MINUTES_TRANSITIONS } from '../domain/item.machines.ts';
import type { ItemRow, PersonRow } from '../db/repo.ts';
import { stateLabel } from '../i18n/zh-CN.ts';
import { type ActInput, type KindSpec, type Outcome, act } from './act.ts';
import { type Ctx, nowMs, postCard, record, reply } from './context.ts';
import { at, ats, fmtTime, itemRef, showCommand, requestField } from './format.ts';
import { leaderOf } from './leaders.ts';
import { createTask } from './task.ts';

type MinutesCmd = Extract<Command, { name: 'minutes' }>;
type NoteCmd = Extract<Command, { name: 'note' }>;

export function minutesCardKey(id: number): string {
  return `item:${id}:minutes`;
}

/** The people who confirm the minutes. */
export function confirmers(people: readonly PersonRow[]): PersonRow[] {
  return people.filter((p) => MINUTES_CONFIRMERS.has(p.role));
}

/** Minutes go out and are confirmed within 24 hours of the meeting (of posting, when they name no time). */
export const MINUTES_CLOCK_MS = 24 * 3600_000;

function minutesCard(item: ItemRow, people: PersonRow[], tz: string): Card {
  const d = item.data as { time?: number; place?: string; agenda?: string[]; decisions?: Array<{ text: string; owner: string; due?: number; taskId: number }>; cc?: string | null };
  const attendees = people.filter((p) => p.role === 'attendee');
  const assignees = people.filter((p) => p.role === 'assignee');
  const confirmed = confirmers(people).filter((p) => p.status === 'confirmed').map((p) => p.userId);
  const waiting = confirmers(people).filter((p) => p.status !== 'confirmed').map((p) => p.userId);
  const md: string[] = [];
  if (d.agenda?.length) md.push('**议程**\n' + d.agenda.map((a) => `- ${a}`).join('\n'));
  if (d.decisions?.length) {
    md.push('**决议**\n' + d.decisions.map((x) => `- ${x.text} → ${at(x.owner)}，截止 ${fmtTime(x.due, tz)}（任务 #${x.taskId}）`).join('\n'));
  }
  md.push(`已确认：${confirmed.length ? ats(confirmed) : '无'}${waiting.length ? `；待确认：${ats(waiting)}` : ''}`);
  return {
    header: { title: `【会议纪要】${itemRef(item.id)} ${item.title}`, color: item.state === 'confirmed' ? 'green' : 'purple', tag: stateLabel(item.state) },
    fields: [
      { label: '时间', value: d.time ? fmtTime(d.time, tz) : fmtTime(item.createdAt, tz) },
      ...(d.place ? [{ label: '地点', value: d.place }] : []),
      { label: '记录人', value: at(item.initiatorId) },
      { label: '参会人', value: ats(attendees.map((p) => p.userId)) || '—' },
      ...(assignees.length ? [{ label: '决议责任人（未参会）', value: ats(assignees.map((p) => p.userId)) }] : []),
      ...(item.state === 'pending' && item.clockAt !== null ? [{ label: '确认时限', value: fmtTime(item.clockAt, tz) }] : []),
      // Minutes are copied to the leader (抄送上级领导), as the seeds require.
      ...(d.cc ? [{ label: '抄送', value: `负责人 ${at(d.cc)}` }] : []),
      ...requestField(item),
    ],
    markdown: md,
    buttons:
      item.state === 'pending'
        ? [{ label: '确认纪要', style: 'primary', action: 'confirm', itemId: item.id, version: item.version }]
        : [],
    mentions: [],
    summary: `会议纪要 ${itemRef(item.id)}：${item.title}`,
    more: showCommand(item.id),
  };
}

export function createMinutes(ctx: Ctx, cmd: MinutesCmd, parentId?: number): ItemRow {
  const t = nowMs(ctx);
  const attendees = cmd.attendees.filter((u, i, all) => all.findIndex((x) => x.id === u.id) === i);
  // Owners of decisions who were not in the meeting (the recorder wrote the minutes: no need).
  const assignees = cmd.decisions
    .map((dec) => dec.owner)
    .filter((u, i, all) => all.findIndex((x) => x.id === u.id) === i && u.id !== ctx.actor.id && !attendees.some((a) => a.id === u.id));
  const confirming = attendees.length + assignees.length > 0;
  const item = ctx.repo.insertItem({
    kind: 'minutes',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: cmd.topic,
    state: confirming ? 'pending' : 'confirmed',
    initiatorId: ctx.actor.id,
    // The seeds: minutes are confirmed within 24 hours after the meeting ("会后24小时内").
    clockAt: confirming ? (cmd.time?.getTime() ?? t) + MINUTES_CLOCK_MS : null,
    parentId: parentId ?? null,
    data: { time: cmd.time?.getTime() ?? null, place: cmd.place ?? null, agenda: cmd.agenda, decisions: [] },
    createdAt: t,
    updatedAt: t,
  });
  for (const u of attendees) ctx.repo.addPerson(item.id, u.id, 'attendee', t);
  for (const u of assignees) ctx.repo.addPerson(item.id, u.id, 'assignee', t);
  const decisions = cmd.decisions.map((dec) => {
    const task = createTask(ctx, { title: dec.text, owner: dec.owner, due: dec.due, parentId: item.id, source: 'decision' }, false);
    return { text: dec.text, owner: dec.owner.id, due: dec.due.getTime(), taskId: task.id };
  });
  // The leader copied is the one in charge when the minutes were written (kept with the minutes).
  const cc = leaderOf(ctx.repo, ctx.chatId, item.parentId ?? undefined) ?? null;
  ctx.repo.updateItem(item.id, item.version, { data: { ...item.data, decisions, cc } }, t);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'create', null, saved.state, { topic: cmd.topic, decisions: decisions.length, ...(cc ? { cc } : {}) });
  postCard(ctx, saved, minutesCardKey(item.id), minutesCard(saved, ctx.repo.people(item.id), ctx.config.calendar.timezone));
  return saved;
}

export const minutesSpec: KindSpec = {
  kind: 'minutes',
  table: MINUTES_TRANSITIONS,
  roles({ people, actorId }) {
    const me = confirmers(people).find((p) => p.userId === actorId);
    return new Set(me && me.status !== 'confirmed' ? ['pendingAttendee'] : []);
  },
  guards({ people, actorId }) {
    const left = confirmers(people).filter((p) => p.status !== 'confirmed' && p.userId !== actorId);
    return { lastConfirmation: left.length === 0, confirmationsRemain: left.length > 0 };
  },
  guardHint: {},
  alreadyDone: ({ people, actorId }) => confirmers(people).some((p) => p.userId === actorId && p.status === 'confirmed'),
  patch: (_ctx, _f, to) => (to === 'confirmed' ? { clockAt: null } : {}),
  refresh(ctx, item) {
    postCard(ctx, item, minutesCardKey(item.id), minutesCard(item, ctx.repo.people(item.id), ctx.config.calendar.timezone), true);
  },
  after(ctx, item) {
    const mine = confirmers(ctx.repo.people(item.id)).find((p) => p.userId === ctx.actor.id);
    if (mine) ctx.repo.setPersonStatus(item.id, ctx.actor.id, mine.role, 'confirmed', nowMs(ctx));
    postCard(ctx, item, minutesCardKey(item.id), minutesCard(item, ctx.repo.people(item.id), ctx.config.calendar.timezone), true);
  },
};

export function actOnMinutes(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  return act(ctx, minutesSpec, item, input);
}

/** /note: logs a communication; each todo clause becomes a task. `attached` is what the reply says about its request. */
export function createNote(ctx: Ctx, cmd: NoteCmd, parentId?: number, attached?: string): ItemRow {
  const t = nowMs(ctx);
  const participants = [ctx.actor.id, ...[...cmd.text.matchAll(/<@([^<>\s]+)>/g)].map((m) => m[1]!)];
  const item = ctx.repo.insertItem({
    kind: 'note',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: cmd.text.length > 40 ? cmd.text.slice(0, 40) + '…' : cmd.text,
    state: 'logged',
    initiatorId: ctx.actor.id,
    urgent: cmd.urgent,
    parentId: parentId ?? null,
    data: { text: cmd.text, urgent: cmd.urgent, participants: [...new Set(participants)], todos: [], ...(cmd.internal ? { internal: true } : {}) },
    createdAt: t,
    updatedAt: t,
  });
  const todos = cmd.todos.map((td) => createTask(ctx, { title: td.text, owner: td.owner, due: td.due, parentId: item.id, source: 'todo' }, false));
  ctx.repo.updateItem(item.id, item.version, { data: { ...item.data, todos: todos.map((x) => x.id) } }, t);
  record(ctx, item, 'create', null, 'logged', { text: cmd.text, todos: todos.map((x) => x.id) });
  const tz = ctx.config.calendar.timezone;
  const lines = todos.map((x) => `- 待办 #${x.id}「${x.title}」→ ${at(x.ownerId!)}，截止 ${fmtTime(x.dueAt, tz)}`);
  reply(ctx, `${cmd.urgent ? '【紧急】' : ''}已记录沟通 ${itemRef(item.id)}。${attached ?? ''}${lines.length ? '\n' + lines.join('\n') : ''}`, item.id);
  return item;
}
