// Read-only commands: /show (an item with its whole history).

import { ACTION_LABEL, KIND_LABEL, stateLabel } from '../i18n/zh-CN.ts';
import { statusCard } from './cards.ts';
import { type Ctx, nowMs, reply } from './context.ts';
import { at, fmtTime } from './format.ts';

export function showItem(ctx: Ctx, id: number): void {
  const item = ctx.repo.getItem(id);
  if (!item || item.chatId !== ctx.chatId) {
    reply(ctx, `找不到事项 #${id}（只能查看本群的事项）。`);
    return;
  }
  const tz = ctx.config.calendar.timezone;
  const lines = ctx.repo.history(id).map((h) => {
    const move = h.fromState !== h.toState && h.toState ? `【${h.fromState ? stateLabel(h.fromState) + ' → ' : ''}${stateLabel(h.toState)}】` : '';
    const d = h.detail as Record<string, unknown>;
    const extra = [
      typeof d.reason === 'string' ? `原因：${d.reason}` : '',
      typeof d.deliverable === 'string' ? `交付物：${d.deliverable}` : '',
      typeof d.evidence === 'string' ? `证据：${d.evidence}` : '',
      typeof d.newDue === 'number' ? `新期限：${fmtTime(d.newDue, tz)}` : '',
    ]
      .filter(Boolean)
      .join('；');
    return `- ${fmtTime(h.at, tz)} ${at(h.actorId)} ${ACTION_LABEL[h.action] ?? h.action}${move}${extra ? ' ' + extra : ''}`;
  });
  const card = statusCard(item, ctx.repo.people(id), tz, lines);
  card.header.title = `【${KIND_LABEL[item.kind] ?? item.kind}】${card.header.title}`;
  ctx.repo.enqueue(
    {
      platform: ctx.platform,
      chatId: ctx.chatId,
      body: { type: 'card', card, cardKey: `show:${id}:${nowMs(ctx)}:${ctx.messageId ?? ''}` },
      replyTo: ctx.messageId,
    },
    nowMs(ctx),
    id,
  );
}
