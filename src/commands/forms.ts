// Form cards instead of typed grammar: the fields of each command a form can raise, and how a
// submitted form becomes the command's text — so a form runs the very parser and engine path the
// typed command runs, with the same validations and the same replies.

import type { CardInput } from '../domain/card.ts';
import { KEY_ALIASES } from './keys.ts';

/** An option key (`due:`, `截止：` …) somewhere in a text. */
const KEY_LIKE = new RegExp(`(?:${KEY_ALIASES.map((a) => a.alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})[:：]`, 'i');

export type FormCommand = 'req' | 'task' | 'issue' | 'ask' | 'minutes';

export interface FormSpec {
  /** The card's title. */
  title: string;
  /** How the command is typed (its Chinese name). */
  command: string;
  inputs: CardInput[];
}

const REQUEST_ID: CardInput = { name: 'request', label: '所属需求编号（可不填）', kind: 'text', required: false, placeholder: '例如 12' };
const DUE: CardInput = { name: 'due', label: '截止时间', kind: 'date', required: true };

export const FORMS: Readonly<Record<FormCommand, FormSpec>> = {
  req: {
    title: '发起协作需求',
    command: '需求',
    inputs: [
      { name: 'title', label: '需求标题', kind: 'text', required: true, placeholder: '例如 官网改版接口联调' },
      { name: 'to', label: '对接人', kind: 'people', multiple: true, required: true },
      DUE,
      {
        name: 'pri',
        label: '优先级',
        kind: 'select',
        required: false,
        options: [
          { value: '高', label: '高' },
          { value: '中', label: '中' },
          { value: '低', label: '低' },
        ],
      },
      {
        name: 'type',
        label: '协作类型',
        kind: 'select',
        required: false,
        options: ['跨部门', '客户', '供应商', '合作伙伴', '紧急'].map((v) => ({ value: v, label: v })),
      },
      { name: 'std', label: '交付标准', kind: 'multiline', required: false, placeholder: '例如 联调通过并出测试报告' },
    ],
  },
  task: {
    title: '分解任务',
    command: '任务',
    inputs: [
      REQUEST_ID,
      { name: 'title', label: '任务内容', kind: 'text', required: true },
      { name: 'owner', label: '责任人', kind: 'people', required: true },
      { name: 'with', label: '协助人', kind: 'people', multiple: true, required: false },
      DUE,
      { name: 'std', label: '完成标准', kind: 'multiline', required: false },
    ],
  },
  issue: {
    title: '登记问题',
    command: '问题',
    inputs: [
      REQUEST_ID,
      { name: 'text', label: '问题描述', kind: 'multiline', required: true },
      {
        name: 'sev',
        label: '严重程度',
        kind: 'select',
        required: true,
        options: ['一般', '重要', '紧急'].map((v) => ({ value: v, label: v })),
      },
      { name: 'owner', label: '责任人', kind: 'people', required: true },
      DUE,
    ],
  },
  ask: {
    title: '提出问题（需要答复）',
    command: '反馈',
    inputs: [
      REQUEST_ID,
      { name: 'to', label: '请谁答复', kind: 'people', multiple: true, required: true },
      { name: 'question', label: '问题', kind: 'multiline', required: true },
      {
        name: 'urgent',
        label: '紧急程度',
        kind: 'select',
        required: false,
        options: [
          { value: '一般', label: '一般（1 个工作日内答复）' },
          { value: '紧急', label: '紧急（2 小时内答复）' },
        ],
      },
    ],
  },
  minutes: {
    title: '会议纪要',
    command: '纪要',
    inputs: [
      REQUEST_ID,
      { name: 'topic', label: '会议主题', kind: 'text', required: true, placeholder: '例如 接口联调周会' },
      { name: 'time', label: '会议时间（24 小时从此时算起）', kind: 'date', required: false },
      { name: 'place', label: '地点', kind: 'text', required: false },
      { name: 'attendees', label: '参会人（每人确认纪要）', kind: 'people', multiple: true, required: true },
      { name: 'agenda', label: '议题（每行一条）', kind: 'multiline', required: false },
      { name: 'decisions', label: '决议（每行一条：内容 @责任人 截止:时间）', kind: 'multiline', required: false, placeholder: '周五前完成联调 @李四 截止:周五' },
    ],
  },
};

export function isFormCommand(name: string): name is FormCommand {
  return Object.hasOwn(FORMS, name);
}

/**
 * Free text as the grammar keeps it text: as typed, or — when it holds what the grammar would
 * read as an option, a mention or a number (`key:`, `@`, `#`) — quoted, as a person would type it.
 */
function quoted(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!/[@＠#＃]/.test(t) && !KEY_LIKE.test(t)) return t;
  for (const [open, close] of [['「', '」'], ['“', '”'], ['"', '"']] as const) if (!t.includes(open) && !t.includes(close)) return `${open}${t}${close}`;
  return `「${t.replace(/[「」]/g, '')}」`;
}

/** A value that must stay on its line: line breaks become spaces. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A picked date as the grammar reads it ("2026-12-01T18:00", "2026-12-01 +0800" → "2026-12-01 18:00"). */
function dateValue(v: string): string {
  return v.replace('T', ' ').replace(/\s*[+-]\d{2}:?\d{2}$/, '').trim();
}

export type Composed = { ok: true; text: string; people: string[] } | { ok: false; error: string };

/**
 * The command text a submitted form stands for. `qualify` turns a picked person's id into the
 * platform-qualified one; the people come back too (they are the message's real mentions).
 */
export function composeCommand(name: FormCommand, values: Readonly<Record<string, string>>, qualify: (id: string) => string): Composed {
  const spec = FORMS[name];
  const missing = spec.inputs.filter((i) => i.required && !values[i.name]?.trim()).map((i) => i.label);
  if (missing.length) return { ok: false, error: `请填写：${missing.join('、')}` };
  const people: string[] = [];
  const who = (field: string) => {
    const ids = (values[field] ?? '').split(',').map((x) => x.trim()).filter(Boolean).map(qualify);
    people.push(...ids);
    return ids.map((id) => `<@${id}>`).join(' ');
  };
  const v = (field: string) => values[field]?.trim() ?? '';
  const request = v('request').replace(/^[#＃]/, '');
  if (request && !/^\d+$/.test(request)) return { ok: false, error: `所属需求编号应为数字：${request.slice(0, 20)}` };
  const ref = request ? ` #${request}` : '';
  const parts: string[] = [`/${spec.command}${ref}`];
  switch (name) {
    case 'req':
      parts.push(quoted(v('title')), `to:${who('to')}`, `due:${dateValue(v('due'))}`);
      if (v('pri')) parts.push(`pri:${v('pri')}`);
      if (v('type')) parts.push(`类型:${v('type')}`);
      if (v('std')) parts.push(`std:${quoted(v('std'))}`);
      break;
    case 'task':
      parts.push(quoted(v('title')), who('owner'));
      if (v('with')) parts.push(`with:${who('with')}`);
      parts.push(`due:${dateValue(v('due'))}`);
      if (v('std')) parts.push(`std:${quoted(v('std'))}`);
      break;
    case 'issue':
      parts.push(quoted(v('text')), `sev:${v('sev')}`, who('owner'), `due:${dateValue(v('due'))}`);
      break;
    case 'ask':
      parts.push(who('to'), quoted(v('question')));
      if (v('urgent') === '紧急') parts.push('紧急');
      break;
    case 'minutes': {
      // The grammar's own lines: a header line, then 时间/地点/参会 and one `- ` line per item.
      const lines = [`${parts.pop()!} ${oneLine(v('topic'))}`];
      if (v('time')) lines.push(`时间：${dateValue(v('time'))}`);
      if (v('place')) lines.push(`地点：${oneLine(v('place'))}`);
      lines.push(`参会：${who('attendees')}`);
      for (const field of ['agenda', 'decisions']) {
        for (const line of v(field).split(/\r?\n/)) if (line.trim()) lines.push(`- ${line.replace(/^\s*[-*•·]\s*/, '').trim()}`);
      }
      return { ok: true, text: lines.join('\n'), people: [...new Set(people)] };
    }
  }
  return { ok: true, text: parts.join(' '), people: [...new Set(people)] };
}

/** The form of a stage of a request's process: what `/完成 #N <stage>` needs, field by field. */
export interface StageForm {
  requestId: number;
  stage: string;
  /** The verdicts the stage's document starts with (需求评审: 可执行 / 需调整 / 不可执行). */
  verdicts?: readonly string[];
  /** The fields of the stage's documents, in order, each named once. */
  fields: readonly string[];
}

/** A verdict stage's 结论 field is what the verdict select says. */
function filledByVerdict(f: StageForm, field: string): boolean {
  return !!f.verdicts?.length && field.includes('结论');
}

export function stageFormSpec(f: StageForm): FormSpec {
  const inputs: CardInput[] = [];
  if (f.verdicts?.length) inputs.push({ name: 'verdict', label: '结论', kind: 'select', required: true, options: f.verdicts.map((v) => ({ value: v, label: v })) });
  f.fields.forEach((field, i) => {
    if (!filledByVerdict(f, field)) inputs.push({ name: `f${i}`, label: field, kind: 'text', required: true });
  });
  inputs.push({ name: 'evidence', label: '附件链接（可不填）', kind: 'text', required: false, placeholder: 'https://…' });
  return { title: `完成阶段「${f.stage}」#${f.requestId}`, command: '完成', inputs };
}

/** `/完成 #N <stage> [verdict] field：value；…` — the document as the grammar reads it. */
export function composeStage(f: StageForm, values: Readonly<Record<string, string>>): Composed {
  const spec = stageFormSpec(f);
  const missing = spec.inputs.filter((i) => i.required && !values[i.name]?.trim()).map((i) => i.label);
  if (missing.length) return { ok: false, error: `请填写：${missing.join('、')}` };
  const verdict = values.verdict?.trim();
  if (f.verdicts?.length && !f.verdicts.includes(verdict ?? '')) return { ok: false, error: `结论应为：${f.verdicts.join(' / ')}` };
  // A value ends at ；or a line break in the document grammar, so those become commas.
  const value = (field: string, i: number) => (filledByVerdict(f, field) ? verdict! : quoted(values[`f${i}`]!.replace(/[；;\r\n]+/g, '，')));
  const document = f.fields.map((field, i) => `${field}：${value(field, i)}`).join('；');
  const evidence = values.evidence?.trim().split(/\s+/)[0];
  const parts = [`/完成 #${f.requestId} ${f.stage}`, ...(verdict ? [verdict] : []), document, ...(evidence ? [`evidence:${evidence}`] : [])];
  return { ok: true, text: parts.join(' '), people: [] };
}
