// `/周报 #N 客户`: one request's progress report for the customer (or partner), in the seeds'
// four parts — 已完成 / 进行中 / 下一步 / 需配合 — built from its tasks and stages, for the
// customer contact to forward. Internal notes and people's workload stay out of it.

import type { Card } from '../domain/card.ts';
import { stageOf } from '../domain/processes/registry.ts';
import type { ItemRow } from '../db/repo.ts';
import { type Ctx, nowMs, record, reply } from './context.ts';
import { at, fmtTime, itemRef } from './format.ts';
import { holders, processRegistry } from './processes.ts';
import { documentsLabel, stageRecords } from './stage-cards.ts';

const WEEK = 7 * 86_400_000;

export function progressReport(ctx: Ctx, item: ItemRow): void {
  if (item.kind !== 'request') return reply(ctx, `#${item.id} 不是需求，进度报告针对需求。`, item.id);
  const tz = ctx.config.calendar.timezone;
  const now = nowMs(ctx);
  const reg = processRegistry(ctx.config);
  const t = reg.get(item.process);
  const people = ctx.repo.people(item.id);
  const tasks = ctx.repo.childItems(item.id).filter((i) => i.kind === 'task' && i.state !== 'cancelled');
  const since = now - WEEK;
  const done = tasks.filter((x) => x.state === 'done' && x.updatedAt >= since).map((x) => `- ${x.title}`);
  const doing = tasks.filter((x) => x.state === 'todo' || x.state === 'doing' || x.state === 'review').map((x) => `- ${x.title}（${Number(x.data.pct ?? 0)}%${x.dueAt ? `，计划 ${fmtTime(x.dueAt, tz).slice(0, 10)}` : ''}）`);
  const stage = stageOf(t, item.stage);
  const next = tasks
    .filter((x) => (x.state === 'todo' || x.state === 'doing') && x.dueAt !== null && x.dueAt <= now + WEEK)
    .map((x) => `- ${fmtTime(x.dueAt, tz).slice(0, 10)} 前完成：${x.title}`);
  if (stage) next.push(`- 推进阶段「${stage.name}」：${documentsLabel(stage)}`);
  const help: string[] = tasks.flatMap((x) => (typeof x.data.risk === 'string' && x.data.risk && x.state !== 'done' ? [`- ${x.title}：${x.data.risk}`] : []));
  const rec = stage ? stageRecords(item)[stage.id] : undefined;
  if (stage && rec?.status === 'signing' && rec.signer) help.push(`- 请 ${at(rec.signer)} 签核「${stage.name}」`);
  const contact = holders(reg, item, people, 'customer')[0] ?? holders(reg, item, people, 'partner')[0];
  const counterparty = typeof item.data.counterparty === 'string' ? item.data.counterparty : '';
  const card: Card = {
    header: { title: `【进度报告】${itemRef(item.id, item.seqNo)} ${item.title}`, color: 'blue', tag: stage?.name ?? (item.stage === 'done' ? '已完成' : '') },
    fields: [
      ...(counterparty ? [{ label: '致', value: counterparty }] : []),
      { label: '协作类型', value: t.name },
      { label: '报告周期', value: `${fmtTime(since, tz).slice(0, 10)} 至 ${fmtTime(now, tz).slice(0, 10)}` },
    ],
    markdown: [
      `**已完成**\n${done.join('\n') || '- 无'}`,
      `**进行中**\n${doing.join('\n') || '- 无'}`,
      `**下一步**\n${next.join('\n') || '- 无'}`,
      `**需配合**\n${help.join('\n') || '- 无'}`,
      contact ? `请 ${at(contact)} 将本报告转发给客户。` : `本需求还没有客户对接人：发送 /对接 #${item.id} @某人 role:客户对接人 后由其转发。`,
    ],
    buttons: [],
    mentions: contact ? [{ id: contact, name: contact }] : [],
    summary: `需求 ${itemRef(item.id, item.seqNo)} 进度报告`,
  };
  ctx.repo.enqueue({ platform: ctx.platform, chatId: ctx.chatId, body: { type: 'card', card, cardKey: `progress:${item.id}:${now}` }, replyTo: ctx.messageId }, now, item.id);
  record(ctx, item, 'progress_report', item.state, item.state, { done: done.length, doing: doing.length });
}
