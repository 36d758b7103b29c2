// The sign-off card of a stage, and the stepper text of where a request stands.

import type { Card, CardButton, CardColor, CardField } from '../domain/card.ts';
import { clockLabel, documentFields, type ProcessTemplate, type StageTemplate } from '../domain/processes/template.ts';
import type { ProcessRegistry } from '../domain/processes/registry.ts';
import type { ItemRow } from '../db/repo.ts';
import { at, fmtTime, itemRef } from './format.ts';

export interface StageRecord {
  status: 'open' | 'signing' | 'done' | 'skipped';
  /** Completions so far; the sign-off card of each has its own key. */
  round: number;
  startedAt?: number;
  dueAt?: number | null;
  document?: string;
  evidence?: string | null;
  verdict?: string | null;
  by?: string;
  at?: number;
  signer?: string;
  signedBy?: string;
  signedAt?: number;
  refusals: Array<{ by: string; at: number; reason: string }>;
  skipReason?: string;
  skippedBy?: string;
}

export function stageRecords(item: ItemRow): Record<string, StageRecord> {
  return (item.data.stages as Record<string, StageRecord> | undefined) ?? {};
}

export function signoffCardKey(itemId: number, stageId: string, round: number): string {
  return `item:${itemId}:stage:${stageId}:${round}`;
}

export function documentsLabel(s: StageTemplate): string {
  return s.documents.map((d) => `《${d.name}》（${d.fields.join('、')}）`).join('、');
}

/** The card asking the signer to sign a stage off, or showing how it ended. */
export function signoffCard(item: ItemRow, t: ProcessTemplate, s: StageTemplate, rec: StageRecord, tz: string): Card {
  const prefix = t.urgent ? '【紧急】' : '';
  const fields: CardField[] = [
    { label: '协作类型', value: t.name },
    { label: '阶段', value: s.name },
    { label: '文档', value: s.documents.map((d) => d.name).join('、') },
    { label: '内容', value: rec.document ?? '' },
  ];
  // The fields the seed names (采购订单: 规格, 数量, 交货时间, 验收标准) that the text fills in.
  for (const d of s.documents) {
    const values = rec.document ? documentFields(d, rec.document) : [];
    d.fields.forEach((f, i) => {
      if (values[i] && values[i] !== rec.document?.trim()) fields.push({ label: f, value: values[i]! });
    });
  }
  if (rec.evidence) fields.push({ label: '附件', value: rec.evidence });
  if (rec.by) fields.push({ label: '提交人', value: at(rec.by) });
  const buttons: CardButton[] = [];
  let md: string;
  let color: CardColor = 'orange';
  const last = rec.refusals.at(-1);
  if (rec.status === 'signing' && rec.signer) {
    md = `请 ${at(rec.signer)} 签核阶段「${s.name}」：通过进入下一阶段，或退回并写明原因。`;
    const base = { itemId: item.id, version: item.version, for: rec.signer };
    buttons.push(
      { label: '签核通过', style: 'primary', action: 'signoff', ...base },
      { label: '退回', style: 'danger', action: 'refuse', ...base, inputs: [{ name: 'reason', label: '退回原因 / Reason', placeholder: '需要补充或修改的内容', required: true }] },
    );
  } else if (rec.status === 'done' && rec.signedBy) {
    md = `✅ ${at(rec.signedBy)} 已签核（${fmtTime(rec.signedAt, tz)}）`;
    color = 'green';
  } else if (last && last.at >= (rec.at ?? 0)) {
    md = `↩️ ${at(last.by)} 已退回（${fmtTime(last.at, tz)}）：${last.reason}`;
    color = 'red';
  } else {
    md = '该签核已失效。';
    color = 'grey';
  }
  return {
    header: { title: `${prefix}【阶段签核】${itemRef(item.id, item.seqNo)} ${item.title} · ${s.name}`, color, tag: s.name },
    fields,
    markdown: [md],
    buttons,
    mentions: rec.signer ? [{ id: rec.signer, name: rec.signer }] : [],
    summary: `需求 ${itemRef(item.id, item.seqNo)} 阶段「${s.name}」待签核`,
  };
}

/** Each stage with ✅ done / ⏭️ skipped / ▶️ current / ⬜ to do, who completes and signs it, and its clock. */
export function stepperLines(item: ItemRow, t: ProcessTemplate, reg: ProcessRegistry, tz: string): string[] {
  const recs = stageRecords(item);
  const current = t.stages.findIndex((s) => s.id === item.stage);
  const finished = item.stage === 'done';
  return t.stages.map((s, i) => {
    const rec = recs[s.id];
    const who = `负责：${reg.roleLabel(s.owner)} · 签核：${reg.roleLabel(s.signer)}`;
    const head = `${i + 1}. ${s.name} ${documentsLabel(s)}`;
    if (rec?.status === 'skipped') return `⏭️ ${head} — 已跳过：${rec.skipReason ?? ''}`;
    if (finished || (current >= 0 && i < current)) {
      return rec?.signedBy ? `✅ ${head} — ${at(rec.by!)} 完成，${at(rec.signedBy)} 签核` : `✅ ${head}`;
    }
    if (i === current) {
      const clock = s.clock ? ` · 时限 ${clockLabel(s.clock)}${rec?.dueAt ? `（${fmtTime(rec.dueAt, tz)} 前）` : ''}` : '';
      const waiting = rec?.status === 'signing' && rec.signer ? ` · 待 ${at(rec.signer)} 签核` : '';
      const refused = rec?.status === 'open' && rec.refusals.length ? ` · 已退回：${rec.refusals.at(-1)!.reason}` : '';
      return `▶️ ${head} — ${who}${clock}${waiting}${refused}`;
    }
    return `⬜ ${head} — ${who}`;
  });
}
