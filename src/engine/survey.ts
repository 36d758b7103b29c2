// `/满意度 #N`: the satisfaction survey (满意度调研) of a type that has one — a card asking the
// type's survey role (客户: the customer contact) for a score of 1–5 and a comment, kept with
// the request (data.surveys) and in its archive.

import type { Command } from '../commands/types.ts';
import type { Card } from '../domain/card.ts';
import type { ItemRow } from '../db/repo.ts';
import type { ActInput, Outcome } from './act.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, fmtTime, itemRef } from './format.ts';
import { holders, processRegistry } from './processes.ts';

export const SURVEY_ACTIONS: ReadonlySet<string> = new Set(['survey']);

export interface SurveyRecord {
  no: number;
  to: string;
  sentAt: number;
  score?: number;
  comment?: string;
  answeredAt?: number;
}

export function surveyRecords(item: ItemRow): SurveyRecord[] {
  return (item.data.surveys as SurveyRecord[] | undefined) ?? [];
}

export function sendSurvey(ctx: Ctx, item: ItemRow, _cmd: Extract<Command, { name: 'survey' }>): void {
  if (item.kind !== 'request') return reply(ctx, `#${item.id} 不是需求，满意度调研针对需求。`, item.id);
  const reg = processRegistry(ctx.config);
  const t = reg.get(item.process);
  if (!t.survey) return reply(ctx, `${t.name}类型的需求没有满意度调研。`, item.id);
  const to = holders(reg, item, ctx.repo.people(item.id), t.survey.to)[0];
  const label = reg.roleLabel(t.survey.to);
  if (!to) return reply(ctx, `❌ 满意度调研发给${label}，但本需求还没有${label}。请先发送 /对接 #${item.id} @某人 role:${label}`, item.id);
  const surveys = surveyRecords(item);
  if (surveys.some((s) => s.answeredAt === undefined)) return reply(ctx, `满意度调研已发出，正等待 ${at(to)} 填写。`, item.id);
  const rec: SurveyRecord = { no: surveys.length + 1, to, sentAt: nowMs(ctx) };
  if (!ctx.repo.updateItem(item.id, item.version, { data: { ...item.data, surveys: [...surveys, rec] } }, nowMs(ctx))) return reply(ctx, '已处理：请重试。', item.id);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'survey_sent', item.state, item.state, { no: rec.no, to });
  postCard(ctx, saved, `item:${item.id}:survey:${rec.no}`, surveyCard(ctx, saved, rec, t.survey.document));
  reply(ctx, `📋 已向 ${at(to)} 发送满意度调研。`, item.id);
}

/** The survey card's 提交 by the person it asks: a whole score from 1 to 5, and a comment. */
export function surveyCardAction(ctx: Ctx, item: ItemRow, input: ActInput, form: Readonly<Record<string, string>>): Outcome {
  if (input.forUser && input.forUser !== ctx.actor.id) return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  const t = processRegistry(ctx.config).get(item.process);
  const surveys = surveyRecords(item);
  const open = surveys.find((s) => s.answeredAt === undefined);
  if (!open || !t.survey) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 没有待填写的满意度调研。` };
  if (open.to !== ctx.actor.id) return { ok: false, message: `⛔ 无权操作：满意度调研由 ${at(open.to)} 填写。` };
  const score = Number((form.score ?? '').normalize('NFKC').trim());
  if (!Number.isInteger(score) || score < 1 || score > 5) return { ok: false, message: '评分需为 1–5 的整数 / score must be 1–5.' };
  const answered: SurveyRecord = { ...open, score, comment: form.comment?.trim() || undefined, answeredAt: nowMs(ctx) };
  const data = { ...item.data, surveys: surveys.map((s) => (s.no === open.no ? answered : s)) };
  if (!ctx.repo.updateItem(item.id, item.version, { data }, nowMs(ctx))) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 刚刚已被他人处理。` };
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'survey', item.state, item.state, { no: open.no, score, comment: answered.comment });
  postCard(ctx, saved, `item:${item.id}:survey:${open.no}`, surveyCard(ctx, saved, answered, t.survey.document), true);
  say(ctx, `${at(item.initiatorId)} 需求 ${itemRef(item.id, item.seqNo)} 满意度 ${score} 分${answered.comment ? `：${answered.comment}` : ''}`, item.id);
  return { ok: true, item: saved, toast: `已提交满意度 ${score} 分，谢谢！` };
}

function surveyCard(ctx: Ctx, item: ItemRow, rec: SurveyRecord, document: string): Card {
  const done = rec.answeredAt !== undefined;
  return {
    header: { title: `【满意度调研】${itemRef(item.id, item.seqNo)} ${item.title}`, color: done ? 'green' : 'orange', tag: done ? `${rec.score} 分` : '待填写' },
    fields: [
      { label: '文档', value: document },
      ...(done ? [{ label: '评分', value: `${rec.score} / 5` }, { label: '意见', value: rec.comment ?? '—' }] : []),
    ],
    markdown: [done ? `✅ ${at(rec.to)} 已填写（${fmtTime(rec.answeredAt, ctx.config.calendar.timezone)}）` : `请 ${at(rec.to)} 为本次合作打分（1–5 分，5 为非常满意）并留下意见。`],
    buttons: done
      ? []
      : [
          {
            label: '提交评价',
            style: 'primary',
            action: 'survey',
            itemId: item.id,
            version: item.version,
            for: rec.to,
            inputs: [
              { name: 'score', label: '评分 1–5 / Score', placeholder: '5', required: true },
              { name: 'comment', label: '意见 / Comment', placeholder: '满意之处、改进建议', required: false },
            ],
          },
        ],
    mentions: [{ id: rec.to, name: rec.to }],
    summary: `需求 ${itemRef(item.id, item.seqNo)} 满意度调研`,
  };
}
