// The sign-off card of a stage, and the stepper text of where a request stands.

import type { Card, CardButton, CardColor, CardField } from '../domain/card.ts';
import { clockLabel, documentFields, fillIn, type ProcessTemplate, type StageTemplate } from '../domain/processes/template.ts';
import { type ProcessRegistry, stageOf } from '../domain/processes/registry.ts';
import type { ItemRow, PersonRow } from '../db/repo.ts';
import { STATE_COLOR } from './cards.ts';
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
  /** Each return of the stage's document, with the new date it set (absent on older records). */
  refusals: Array<{ by: string; at: number; reason: string; newDue?: number }>;
  skipReason?: string;
  skippedBy?: string;
  /** The signer's own document when the stage is confirmed with one (排期计划). */
  confirmation?: string;
  /** Delay notes (延期说明) filed on the stage, each with the deadline it set. */
  delays?: Array<{ by: string; at: number; text: string; dueAt: number; previousDueAt: number | null }>;
}

export function stageRecords(item: ItemRow): Record<string, StageRecord> {
  return (item.data.stages as Record<string, StageRecord> | undefined) ?? {};
}

export function signoffCardKey(itemId: number, stageId: string, round: number): string {
  return `item:${itemId}:stage:${stageId}:${round}`;
}

/** Outsiders named with `/对接 … 外部:<姓名>`, by `<role>:<colleague's id>`. */
function outsiders(item: ItemRow): Record<string, string> {
  return (item.data.outsiders as Record<string, string> | undefined) ?? {};
}

/** Who holds a role: the person, or the outsider reached through them. */
export function holderText(item: ItemRow, roleId: string, userId: string): string {
  const outsider = outsiders(item)[`${roleId}:${userId}`];
  return outsider ? `${outsider}（经 ${at(userId)} 联系）` : at(userId);
}

/** 「法务 @B、客户对接人 刘总（经 @C 联系）」: the roles people hold on the request. */
export function rolesText(reg: ProcessRegistry, item: ItemRow, people: readonly PersonRow[]): string {
  return people
    .filter((p) => p.role.startsWith('role:'))
    .map((p) => `${reg.roleLabel(p.role.slice(5))} ${holderText(item, p.role.slice(5), p.userId)}`)
    .join('、');
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
    { label: '文档', value: [...s.documents, ...(s.confirm ? [s.confirm] : [])].map((d) => d.name).join('、') },
    { label: '内容', value: rec.document ?? '' },
  ];
  // The fields the seed names (采购订单: 规格, 数量, 交货时间, 验收标准) that the text fills in.
  for (const d of s.documents) {
    const values = rec.document ? documentFields(d, rec.document) : [];
    d.fields.forEach((f, i) => {
      if (values[i] && values[i] !== rec.document?.trim()) fields.push({ label: f, value: values[i]! });
    });
  }
  if (s.confirm && rec.confirmation) {
    const values = documentFields(s.confirm, rec.confirmation);
    s.confirm.fields.forEach((f, i) => values[i] && fields.push({ label: f, value: values[i]! }));
  }
  if (rec.evidence) fields.push({ label: '附件', value: rec.evidence });
  if (rec.by) fields.push({ label: '提交人', value: at(rec.by) });
  const buttons: CardButton[] = [];
  let md: string;
  let color: CardColor = 'orange';
  const last = rec.refusals.at(-1);
  if (rec.status === 'signing' && rec.signer) {
    const outsider = outsiders(item)[`${s.signer}:${rec.signer}`];
    const who = outsider ? `${at(rec.signer)}（代 ${outsider}）` : `${at(rec.signer)} `;
    const base = { itemId: item.id, version: item.version, for: rec.signer };
    // A stage confirmed with a document is signed by sending it: a click alone would carry none.
    md = s.confirm
      ? `请 ${who}以《${s.confirm.name}》（${s.confirm.fields.join('、')}）确认阶段「${s.name}」：发送 /完成 #${item.id} ${s.confirm.name} ${fillIn(s.confirm)}；或退回并写明原因和新期限。`
      : `请 ${who}签核阶段「${s.name}」：通过进入下一阶段，或退回并写明原因和新期限。`;
    if (!s.confirm) buttons.push({ label: '签核通过', style: 'primary', action: 'signoff', ...base });
    buttons.push({
      label: '退回', style: 'danger', action: 'refuse', ...base,
      inputs: [
        { name: 'reason', label: '退回原因 / Reason', placeholder: '需要补充或修改的内容', required: true },
        { name: 'due', label: '新期限 / New due date', placeholder: '如 周五、12月1日、+2d', required: true },
      ],
    });
  } else if (rec.status === 'done' && rec.signedBy) {
    md = `✅ ${at(rec.signedBy)} 已签核（${fmtTime(rec.signedAt, tz)}）`;
    color = 'green';
  } else if (last && last.at >= (rec.at ?? 0)) {
    md = `↩️ ${at(last.by)} 已退回（${fmtTime(last.at, tz)}）：${last.reason}${last.newDue ? `\n新期限：${fmtTime(last.newDue, tz)}` : ''}`;
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

/**
 * Each stage with ✅ done / ⏭️ skipped / ▶️ current / ⬜ to do, who completes and signs it, and its
 * clock. `compact` (the request card) names only the current stage's documents and people.
 */
export function stepperLines(item: ItemRow, t: ProcessTemplate, reg: ProcessRegistry, tz: string, compact = false): string[] {
  const recs = stageRecords(item);
  const current = t.stages.findIndex((s) => s.id === item.stage);
  const finished = item.stage === 'done';
  return t.stages.map((s, i) => {
    const rec = recs[s.id];
    const who = `负责：${reg.roleLabel(s.owner)} · 签核：${reg.roleLabel(s.signer)}`;
    const full = `${i + 1}. ${s.name} ${documentsLabel(s)}`;
    const head = compact && i !== current ? `${i + 1}. ${s.name}` : full;
    if (rec?.status === 'skipped') return `⏭️ ${head} — 已跳过：${rec.skipReason ?? ''}`;
    if (finished || (current >= 0 && i < current)) {
      return rec?.signedBy ? `✅ ${head} — ${at(rec.by!)} 完成，${at(rec.signedBy)} 签核` : `✅ ${head}`;
    }
    if (i === current) {
      const clock = s.clock
        ? ` · 时限 ${clockLabel(s.clock)}${rec?.dueAt ? `（${fmtTime(rec.dueAt, tz)} 前）` : ''}`
        : rec?.dueAt ? ` · 节点时间 ${fmtTime(rec.dueAt, tz)}` : '';
      const waiting = rec?.status === 'signing' && rec.signer ? ` · 待 ${at(rec.signer)} 签核` : '';
      const refused = rec?.status === 'open' && rec.refusals.length ? ` · 已退回：${rec.refusals.at(-1)!.reason}` : '';
      return `▶️ ${head} — ${who}${clock}${waiting}${refused}`;
    }
    return compact ? `⬜ ${head}` : `⬜ ${head} — ${who}`;
  });
}

export function requestCardKey(itemId: number): string {
  return `item:${itemId}:stages`;
}

/** The request card of a typed request: where it stands, as a stepper, updated as it moves. */
export function requestCard(item: ItemRow, t: ProcessTemplate, reg: ProcessRegistry, people: readonly PersonRow[], tz: string): Card {
  const stage = item.stage === 'done' ? '全部阶段已完成' : (stageOf(t, item.stage)?.name ?? '—');
  const contacts = people.filter((p) => p.role === 'contact').map((p) => at(p.userId));
  const fields: CardField[] = [
    { label: '发起人', value: at(item.initiatorId) },
    ...(contacts.length ? [{ label: '对接人', value: contacts.join(' ') }] : []),
    { label: '截止', value: fmtTime(item.dueAt, tz) },
    { label: '协作类型', value: t.name },
    { label: '当前阶段', value: stage },
  ];
  const roles = rolesText(reg, item, people);
  if (roles) fields.push({ label: '角色', value: roles });
  const ref = itemRef(item.id, item.seqNo);
  return {
    header: { title: `${t.urgent ? '【紧急】' : ''}【需求】${ref} ${item.title}`, color: STATE_COLOR[item.state] ?? 'blue', tag: `${t.name}·${stage}` },
    fields,
    markdown: ['**阶段**\n' + stepperLines(item, t, reg, tz, true).join('\n')],
    buttons: [],
    mentions: [],
    summary: `需求 ${ref} ${item.title}：${t.name}·${stage}`,
    more: `/阶段 #${item.id}`,
  };
}
