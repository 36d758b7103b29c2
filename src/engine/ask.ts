// Questions (反馈): a question to one or more people with a response clock (1 working day
// ordinary, 2 h urgent, from config). Answered by /reply, the card's button, or a threaded reply.

import type { Card } from '../domain/card.ts';
import type { UserRef } from '../domain/chat.ts';
import { ASK_TRANSITIONS } from '../domain/item.machines.ts';
import type { ItemRow } from '../db/repo.ts';
import { stateLabel } from '../i18n/zh-CN.ts';
import { clockDeadline } from './clocks.ts';
import { openPause, pauseClock, resumeClock } from './pause.ts';
import { type ActInput, type KindSpec, type Outcome, act } from './act.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, ats, fmtTime, itemRef, showCommand, requestField } from './format.ts';

export function responseClock(ctx: Ctx, urgent: boolean): Date {
  return clockDeadline(ctx, urgent ? 'urgent' : 'ordinary');
}

export function askCardKey(id: number): string {
  return `item:${id}:ask`;
}

function askCard(item: ItemRow, asked: string[], tz: string): Card {
  const d = item.data as { answer?: string; answeredBy?: string; answeredAt?: number };
  const answered = item.state === 'answered';
  const pause = item.state === 'info' ? openPause(item) : undefined;
  return {
    header: {
      title: `${item.urgent ? '【紧急】' : ''}【反馈】${itemRef(item.id)} ${item.title}`,
      color: answered ? 'green' : item.state === 'cancelled' ? 'grey' : item.urgent ? 'red' : 'blue',
      tag: stateLabel(item.state),
    },
    fields: [
      { label: '提问人', value: at(item.initiatorId) },
      { label: '请回复', value: ats(asked) },
      ...requestField(item),
      ...(item.state === 'waiting' ? [{ label: '回复时限', value: fmtTime(item.clockAt, tz) }] : []),
      ...(pause ? [{ label: '回复时限', value: `已暂停（自 ${fmtTime(pause.from, tz)} 起，等待 ${at(item.initiatorId)} 补充信息）` }] : []),
    ],
    markdown: answered
      ? [`💬 ${at(d.answeredBy!)}（${fmtTime(d.answeredAt, tz)}）：${d.answer}`]
      : item.state === 'waiting'
        ? [`请 ${ats(asked)} 在 ${fmtTime(item.clockAt, tz)} 前回复：点「回复」、发送 /回复 #${item.id} 内容，或直接回复本消息。信息不足时点「需补充信息」或发送 /补充 #${item.id} 需要什么（时限暂停）。`]
        : pause
          ? [`⏸ ${at(pause.by)} 需补充信息：${pause.what}`, `请 ${at(item.initiatorId)} 点「补充信息」或发送 /补充 #${item.id} 内容；补充后回复时限恢复。`]
          : ['该问题已取消。'],
    buttons:
      item.state === 'waiting'
        ? [
            {
              label: '回复',
              style: 'primary',
              action: 'reply',
              itemId: item.id,
              version: item.version,
              inputs: [{ name: 'answer', label: '回复内容 / Answer', required: true }],
            },
            {
              label: '需补充信息',
              style: 'default',
              action: 'needinfo',
              itemId: item.id,
              version: item.version,
              inputs: [{ name: 'answer', label: '需要补充什么 / What is missing', required: true }],
            },
          ]
        : pause
          ? [
              {
                label: '补充信息',
                style: 'primary',
                action: 'supply',
                itemId: item.id,
                version: item.version,
                inputs: [{ name: 'answer', label: '补充内容 / Information', required: true }],
              },
            ]
          : [],
    mentions: [],
    summary: `反馈 ${itemRef(item.id)}：${item.title}`,
    more: showCommand(item.id),
  };
}

export function createAsk(ctx: Ctx, to: UserRef[], question: string, urgent: boolean, parentId?: number): ItemRow {
  const t = nowMs(ctx);
  const item = ctx.repo.insertItem({
    kind: 'ask',
    platform: ctx.platform,
    chatId: ctx.chatId,
    title: question.length > 40 ? question.slice(0, 40) + '…' : question,
    state: 'waiting',
    initiatorId: ctx.actor.id,
    ownerId: to[0]?.id ?? null,
    urgent,
    clockAt: responseClock(ctx, urgent).getTime(),
    parentId: parentId ?? null,
    data: { question },
    createdAt: t,
    updatedAt: t,
  });
  for (const u of to) ctx.repo.addPerson(item.id, u.id, 'asked', t);
  record(ctx, item, 'create', null, 'waiting', { question, asked: to.map((u) => u.id), urgent });
  postCard(ctx, item, askCardKey(item.id), askCard(item, to.map((u) => u.id), ctx.config.calendar.timezone), false, to[0]?.id);
  return item;
}

function asked(ctx: Ctx, item: ItemRow): string[] {
  return ctx.repo
    .people(item.id)
    .filter((p) => p.role === 'asked')
    .map((p) => p.userId);
}

export const askSpec: KindSpec = {
  kind: 'ask',
  table: ASK_TRANSITIONS,
  roles({ item, people, actorId }) {
    const r = new Set<string>();
    if (item.initiatorId === actorId) r.add('asker');
    if (people.some((p) => p.role === 'asked' && p.userId === actorId)) r.add('asked');
    return r;
  },
  guards: (f) => ({ hasAnswer: !!f.input.text?.trim(), hasText: !!f.input.text?.trim() }),
  guardHint: { hasAnswer: '请填写回复内容', hasText: '请写明需要补充的信息或补充的内容' },
  patch(ctx, { item, input, actorId }, to) {
    const data = { ...item.data };
    if (input.action === 'reply') Object.assign(data, { answer: input.text, answeredBy: actorId, answeredAt: nowMs(ctx) });
    // Waiting on the asker pauses the clock; the answer resumes it with the time it had left.
    if (input.action === 'needinfo') return { data: { ...data, pauses: pauseClock(ctx, item, actorId, input.text!) }, clockAt: null };
    if (input.action === 'supply') {
      const { pauses, clockAt } = resumeClock(ctx, item, input.text!);
      return { data: { ...data, pauses }, clockAt };
    }
    // Answering or cancelling stops the clock; reopening restarts it.
    return { data, clockAt: to === 'waiting' ? responseClock(ctx, item.urgent).getTime() : null };
  },
  refresh(ctx, item) {
    postCard(ctx, item, askCardKey(item.id), askCard(item, asked(ctx, item), ctx.config.calendar.timezone), true, asked(ctx, item)[0]);
  },
  after(ctx, item, _from, f) {
    const people = asked(ctx, item);
    postCard(ctx, item, askCardKey(item.id), askCard(item, people, ctx.config.calendar.timezone), true, people[0]);
    if (f.input.action === 'reply') {
      ctx.repo.setPersonStatus(item.id, ctx.actor.id, 'asked', 'answered', nowMs(ctx));
      say(ctx, `${at(item.initiatorId)} ${at(ctx.actor.id)} 回复了反馈 ${itemRef(item.id)}：${f.input.text}`, item.id);
    }
    if (f.input.action === 'needinfo') {
      say(ctx, `⏸ ${at(item.initiatorId)} ${at(ctx.actor.id)} 需要补充信息才能回复反馈 ${itemRef(item.id)}：${f.input.text}（回复时限已暂停，发送 /补充 #${item.id} 内容 后恢复）`, item.id);
    }
    if (f.input.action === 'supply') {
      say(ctx, `▶️ ${ats(people)} ${at(ctx.actor.id)} 已补充反馈 ${itemRef(item.id)} 的信息：${f.input.text}（回复时限恢复，请在 ${fmtTime(item.clockAt, ctx.config.calendar.timezone)} 前回复）`, item.id);
    }
  },
};

export function actOnAsk(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  return act(ctx, askSpec, item, input);
}

/** A threaded reply to a question card answers it (if the sender is asked), or gives the information it waits for (the asker). */
export function answerByThread(ctx: Ctx, item: ItemRow, text: string): void {
  const out = actOnAsk(ctx, item, { action: item.state === 'info' ? 'supply' : 'reply', text });
  reply(ctx, out.ok ? out.toast : out.message, item.id);
}
