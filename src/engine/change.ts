// `/变更 #N <内容> reason:<原因>`: a change to an agreed request, written down as the type's change
// document (客户: 需求变更单) and confirmed on a card by the type's signer (the customer contact).
// One change waits for confirmation at a time, so a card always answers the latest one.

import type { Command } from '../commands/types.ts';
import type { Card, CardButton } from '../domain/card.ts';
import type { ItemRow } from '../db/repo.ts';
import type { ActInput, Outcome } from './act.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, fmtTime, itemRef } from './format.ts';
import { holders, processRegistry } from './processes.ts';

export const CHANGE_ACTIONS: ReadonlySet<string> = new Set(['change_ok', 'change_no']);

export interface ChangeRecord {
  no: number;
  what: string;
  reason: string;
  by: string;
  at: number;
  signer: string;
  status: 'signing' | 'agreed' | 'refused';
  answeredAt?: number;
  answer?: string;
}

export function changeRecords(item: ItemRow): ChangeRecord[] {
  return (item.data.changes as ChangeRecord[] | undefined) ?? [];
}

function cardKey(itemId: number, no: number): string {
  return `item:${itemId}:change:${no}`;
}

export function fileChange(ctx: Ctx, item: ItemRow, cmd: Extract<Command, { name: 'change' }>): void {
  if (item.kind !== 'request') return reply(ctx, `#${item.id} 不是需求，只有需求有变更单。`, item.id);
  if (item.state === 'closed' || item.state === 'cancelled') return reply(ctx, `需求 ${itemRef(item.id)} 已结束，不能再变更。`, item.id);
  const reg = processRegistry(ctx.config);
  const t = reg.get(item.process);
  if (!t.change) return reply(ctx, `${t.name}类型的需求没有变更单；请用 /改期 或 /记录 留痕。`, item.id);
  const people = ctx.repo.people(item.id);
  const involved = item.initiatorId === ctx.actor.id || people.some((p) => p.userId === ctx.actor.id);
  if (!involved) return reply(ctx, '⛔ 无权操作：只有发起人、对接人或本需求的角色可以登记变更。', item.id);
  const changes = changeRecords(item);
  const open = changes.find((c) => c.status === 'signing');
  if (open) return reply(ctx, `${t.change.document} 第 ${open.no} 号仍待 ${at(open.signer)} 确认，确认后再登记下一张。`, item.id);
  const signer = holders(reg, item, people, t.change.signer)[0];
  const label = reg.roleLabel(t.change.signer);
  if (!signer) return reply(ctx, `❌ ${t.change.document}由${label}确认，但本需求还没有${label}。请先发送 /对接 #${item.id} @某人 role:${label}`, item.id);
  const rec: ChangeRecord = { no: changes.length + 1, what: cmd.what, reason: cmd.reason, by: ctx.actor.id, at: nowMs(ctx), signer, status: 'signing' };
  if (!ctx.repo.updateItem(item.id, item.version, { data: { ...item.data, changes: [...changes, rec] } }, nowMs(ctx))) return reply(ctx, '已处理：请重试。', item.id);
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, 'change', item.state, item.state, { no: rec.no, what: cmd.what, reason: cmd.reason });
  postCard(ctx, saved, cardKey(item.id, rec.no), changeCard(ctx, saved, rec, t.change.document));
  reply(ctx, `📝 已登记${t.change.document} 第 ${rec.no} 号，已请 ${at(signer)} 确认。`, item.id);
}

/** A click on a change card: only its signer; 不同意 needs a reason. */
export function changeCardAction(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  if (input.forUser && input.forUser !== ctx.actor.id) return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  const t = processRegistry(ctx.config).get(item.process);
  const changes = changeRecords(item);
  const rec = changes.find((c) => c.status === 'signing');
  if (!rec || !t.change) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 没有待确认的变更单。` };
  if (rec.signer !== ctx.actor.id) return { ok: false, message: `⛔ 无权操作：只有 ${at(rec.signer)} 可以确认${t.change.document}。` };
  const agreed = input.action === 'change_ok';
  if (!agreed && !input.reason?.trim()) return { ok: false, message: '不同意需要说明：请填写原因。' };
  const answered: ChangeRecord = { ...rec, status: agreed ? 'agreed' : 'refused', answeredAt: nowMs(ctx), answer: input.reason?.trim() };
  const data = { ...item.data, changes: changes.map((c) => (c.no === rec.no ? answered : c)) };
  if (!ctx.repo.updateItem(item.id, item.version, { data }, nowMs(ctx))) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 刚刚已被他人处理。` };
  const saved = ctx.repo.getItem(item.id)!;
  record(ctx, saved, input.action, item.state, item.state, { no: rec.no, reason: answered.answer });
  postCard(ctx, saved, cardKey(item.id, rec.no), changeCard(ctx, saved, answered, t.change.document), true);
  say(ctx, `${at(rec.by)} ${t.change.document} 第 ${rec.no} 号${agreed ? '已确认 ✅' : `未获同意：${answered.answer}`}（${at(ctx.actor.id)}）`, item.id);
  return { ok: true, item: saved, toast: agreed ? '已确认变更。' : '已反馈不同意。' };
}

function changeCard(ctx: Ctx, item: ItemRow, rec: ChangeRecord, document: string): Card {
  const tz = ctx.config.calendar.timezone;
  const buttons: CardButton[] = [];
  let md: string;
  if (rec.status === 'signing') {
    md = `请 ${at(rec.signer)} 确认本次变更，或写明原因不同意。`;
    const base = { itemId: item.id, version: item.version, for: rec.signer };
    buttons.push(
      { label: '确认变更', style: 'primary', action: 'change_ok', ...base },
      { label: '不同意', style: 'danger', action: 'change_no', ...base, inputs: [{ name: 'reason', label: '原因 / Reason', placeholder: '为什么不同意', required: true }] },
    );
  } else {
    md = rec.status === 'agreed' ? `✅ ${at(rec.signer)} 已确认（${fmtTime(rec.answeredAt, tz)}）` : `❌ ${at(rec.signer)} 不同意（${fmtTime(rec.answeredAt, tz)}）：${rec.answer ?? ''}`;
  }
  return {
    header: { title: `【${document}】${itemRef(item.id, item.seqNo)} ${item.title} · 第 ${rec.no} 号`, color: rec.status === 'signing' ? 'orange' : rec.status === 'agreed' ? 'green' : 'red', tag: rec.status === 'signing' ? '待确认' : rec.status === 'agreed' ? '已确认' : '不同意' },
    fields: [
      { label: '变更内容', value: rec.what },
      { label: '原因', value: rec.reason },
      { label: '提出人', value: at(rec.by) },
    ],
    markdown: [md],
    buttons,
    mentions: [{ id: rec.signer, name: rec.signer }],
    summary: `需求 ${itemRef(item.id, item.seqNo)} ${document}待确认`,
  };
}
