// Form cards: a command typed with nothing after it (`/需求`) answers with its form; a submitted
// form becomes the command's text and goes through the same parser and engine path as typing it.

import { createHash } from 'node:crypto';
import { composeCommand, composeStage, FORMS, type FormCommand, type FormSpec, isFormCommand, type StageForm, stageFormSpec } from '../commands/forms.ts';
import type { Card, CardInput } from '../domain/card.ts';
import type { CardAction, PlatformName, UserRef } from '../domain/chat.ts';
import type { Repo } from '../db/repo.ts';
import { type Ctx, nowMs } from './context.ts';
import { at } from './format.ts';
import { resolveTypedName } from './links.ts';

/** Platforms that draw form cards (every one we have). */
export const FORM_PLATFORMS: ReadonlySet<PlatformName> = new Set(['feishu', 'dingtalk', 'sandbox']);

/**
 * Platforms whose form has text fields only (DingTalk's shipped card template): people are typed
 * by name there, and the bot finds them among the group's members.
 */
const TYPED_PEOPLE: ReadonlySet<PlatformName> = new Set(['dingtalk']);

/** The action a form's submit button sends: `form:<command>` (no item yet). */
export const FORM_ACTION = 'form:';

/** The field of a form sent in a private chat: which of the person's groups it is for. */
export const CHAT_FIELD = 'chat';

/** `groups`: the form is sent in a private chat, and asks first which group it is for. */
export function formCard(name: FormCommand, asker: UserRef, groups?: ReadonlyArray<{ value: string; label: string }>): Card {
  return specCard(FORMS[name], `${FORM_ACTION}${name}`, 0, asker, groups);
}

function specCard(spec: FormSpec, action: string, itemId: number, asker: UserRef, groups?: ReadonlyArray<{ value: string; label: string }>): Card {
  const inputs = groups ? [{ name: CHAT_FIELD, label: '所在群', kind: 'select' as const, required: true, options: [...groups] }, ...spec.inputs] : spec.inputs;
  return {
    header: { title: `【${spec.title}】填写表单`, color: 'blue', tag: '表单' },
    fields: [],
    markdown: [
      `${at(asker.id)} 请填写后提交（带 * 的必填）。也可以直接输入命令，发送 /帮助 ${spec.command} 查看写法。`,
    ],
    buttons: [{ label: '提交', style: 'primary', action, itemId, version: 0, for: asker.id, inputs }],
    mentions: [{ id: asker.id, name: asker.name }],
    summary: `${spec.title}：请填写表单`,
  };
}

/** The action of a stage form's submit: `form:done:<stage id>`, the request being the button's item. */
export const STAGE_FORM_ACTION = `${FORM_ACTION}done:`;

/** Posts the form of a request's current stage (`/完成 #N` with no document). */
export function postStageForm(ctx: Ctx, stageId: string, form: StageForm): void {
  const card = specCard(stageFormSpec(form), `${STAGE_FORM_ACTION}${stageId}`, form.requestId, ctx.actor);
  ctx.repo.enqueue(
    { platform: ctx.platform, chatId: ctx.chatId, body: { type: 'card', card, cardKey: `form:${ctx.chatId}:${ctx.actor.id}:done:${form.requestId}:${nowMs(ctx)}` }, replyTo: ctx.messageId },
    nowMs(ctx),
  );
}

/** Posts the form card of `name` in the chat. */
export function postForm(ctx: Ctx, name: FormCommand): void {
  ctx.repo.enqueue(
    { platform: ctx.platform, chatId: ctx.chatId, body: { type: 'card', card: formCard(name, ctx.actor), cardKey: `form:${ctx.chatId}:${ctx.actor.id}:${nowMs(ctx)}` }, replyTo: ctx.messageId },
    nowMs(ctx),
  );
}

export type FormSubmit = { ok: false; toast: string; refill?: boolean } | { ok: true; text: string; mentions: UserRef[]; messageId: string };

/**
 * Reads a submitted form: refused when it is not the asker's or a required field is empty (the
 * card stays as filled); otherwise the command text to run, with the picked people as mentions.
 */
export function readForm(repo: Repo, a: CardAction, stageForm: (requestId: number, stageId: string) => StageForm | string): FormSubmit {
  const stageId = a.action.startsWith(STAGE_FORM_ACTION) ? a.action.slice(STAGE_FORM_ACTION.length) : undefined;
  const name = stageId !== undefined ? 'done' : a.action.slice(FORM_ACTION.length);
  if (stageId === undefined && !isFormCommand(name)) return { ok: false, toast: '未知的表单。' };
  const command = stageId !== undefined ? '完成' : FORMS[name as FormCommand].command;
  if (a.for && a.for !== a.actor.id) return { ok: false, toast: `仅限 ${repo.userNames([a.for]).get(a.for) ?? a.for} 填写此表单：请发送 /${command} 获取自己的表单。` };
  let composed;
  if (stageId !== undefined) {
    // The stage may have moved on since the form was sent: the form then no longer applies.
    const form = stageForm(a.itemId, stageId);
    if (typeof form === 'string') return { ok: false, toast: form };
    composed = composeStage(form, a.form);
  } else {
    const values = TYPED_PEOPLE.has(a.platform) ? typedPeople(repo, a, name as FormCommand) : a.form;
    if (typeof values === 'string') return { ok: false, toast: `❌ ${values}`, refill: true };
    composed = composeCommand(name as FormCommand, values, (id) => (id.includes(':') ? id : `${a.platform}:${id}`));
  }
  if (!composed.ok) return { ok: false, toast: `❌ ${composed.error}`, refill: true };
  const names = repo.userNames(composed.people);
  const mentions = composed.people.map((id) => ({ id, name: names.get(id) ?? id }));
  // A resent callback of the same submit is the same message: it acts once.
  const messageId = `form:${createHash('sha256').update(a.replayKey ?? `${a.cardMessageId ?? ''}\n${composed.text}`).digest('base64url').slice(0, 32)}`;
  return { ok: true, text: composed.text, mentions, messageId };
}

/** The form's values with each typed name (`李四 @王五`, `李四、王五`) turned into the person's id. */
function typedPeople(repo: Repo, a: CardAction, name: FormCommand): Record<string, string> | string {
  const out: Record<string, string> = { ...a.form };
  for (const input of FORMS[name].inputs) {
    if (input.kind !== 'people' || !out[input.name]?.trim()) continue;
    const typed = out[input.name]!.split(/[\s,，、;；]+/).map((x) => x.replace(/^[@＠]/, '').trim()).filter(Boolean);
    const ids: string[] = [];
    for (const t of typed) {
      const hit = resolveTypedName(repo, a.chatId, a.platform, t);
      if (!hit) return `${input.label}：群里没有「${t.slice(0, 20)}」，请写成员的名字`;
      if ('candidates' in hit) return `${input.label}：「${t.slice(0, 20)}」有多位，请写 名字/群名：${hit.candidates.join('；')}`;
      ids.push(hit.id);
    }
    if (!input.multiple && ids.length > 1) return `${input.label}只能填一位`;
    out[input.name] = ids.join(',');
  }
  return out;
}

/** The groups a person shares with the bot, as the options of a form's 所在群 select. */
export function groupOptions(repo: Repo, userId: string, platform: PlatformName, groups = repo.links.groupsOf(userId, platform)): Array<{ value: string; label: string }> {
  return groups.slice(0, 20).map((id) => {
    const c = repo.getChat(id);
    return { value: id, label: c?.project ?? c?.name ?? id };
  });
}

/** Words of an error that point at a kind of field when it names none by its label. */
const KIND_HINTS: ReadonlyArray<[RegExp, CardInput['kind']]> = [
  [/截止|时间|日期|date|time/i, 'date'],
  [/找不到用户|成员|@/, 'people'],
];

/**
 * The submitted form sent back as it was filled in, with the error beside the field it concerns:
 * each required field left empty, else the field the error names (by label, or by what it is
 * about); an error no field owns heads the card. Undefined when the form no longer applies.
 */
export function refilledForm(repo: Repo, a: CardAction, error: string, stageForm: (requestId: number, stageId: string) => StageForm | string): Card | undefined {
  let spec: FormSpec;
  if (a.action.startsWith(STAGE_FORM_ACTION)) {
    const form = stageForm(a.itemId, a.action.slice(STAGE_FORM_ACTION.length));
    if (typeof form === 'string') return undefined;
    spec = stageFormSpec(form);
  } else {
    const name = a.action.slice(FORM_ACTION.length);
    if (!isFormCommand(name)) return undefined;
    spec = FORMS[name];
  }
  const groups = a.form[CHAT_FIELD] !== undefined ? groupOptions(repo, a.actor.id, a.platform) : undefined;
  const card = specCard(spec, a.action, a.itemId, a.actor, groups);
  const button = card.buttons[0]!;
  const inputs = (button.inputs ?? []).map((i) => ({ ...i, ...(a.form[i.name]?.trim() ? { value: a.form[i.name]!.trim() } : {}) }));
  const text = error.replace(/^❌\s*/, '');
  const empty = inputs.filter((i) => i.required && !i.value);
  const owner =
    inputs.find((i) => {
      const label = i.label.replace(/[（(].*?[）)]/g, '');
      return text.startsWith(label) || text.includes(`${label}：`);
    }) ??
    KIND_HINTS.flatMap(([re, kind]) => (re.test(text) ? inputs.filter((i) => i.kind === kind) : [])).find((i) => i.value);
  const marked = empty.length ? new Set(empty.map((i) => i.name)) : new Set(owner ? [owner.name] : []);
  button.inputs = inputs.map((i) => (marked.has(i.name) ? { ...i, error: empty.length ? `请填写${i.label}` : text } : i));
  if (!marked.size) card.markdown = [...card.markdown, `❌ ${text}`];
  return card;
}
