// Neutral message → Feishu content: text with <at> mentions, and card JSON 2.0 from the neutral
// card model. Pure.
// Content formats: https://open.feishu.cn/document/server-docs/im-v1/message/create
// Card JSON 2.0:   https://open.feishu.cn/document/feishu-cards/card-json-v2-structure

import type { Card, CardButton, CardChart, CardColor, CardInput } from '../../domain/card.ts';
import { type Outbound, type TextMessage, nativeId, splitMentions } from '../../domain/chat.ts';
import { fitFeishuCard, fitFeishuText } from './feishu.limits.ts';
import { escapeMarkdown, escapeText, mentionable } from './feishu.escape.ts';
import type { ButtonValue, CardCallbackResponse, CardElement, FeishuCard, PlainText, ToastType } from './feishu.types.ts';

/** Display names by platform-qualified user id. */
export type Names = ReadonlyMap<string, string>;

/** A token that may become a real <at>: a Feishu user, never "all". */
const isFeishuId = (id: string) => id.startsWith('feishu:') && mentionable(nativeId(id));

/** A display name; an unknown user (no name, or the id standing in for one) shows the bare id. */
function nameOf(id: string, names: Names): string {
  const n = names.get(id);
  return !n || n === id ? nativeId(id) : n;
}

/** Text-message body: `<@id>` → `<at user_id="ou_x">name</at>`, clipped to the text limit. */
export function renderText(msg: TextMessage, urgent = false): string {
  return fitFeishuText(msg, (m) => textBody(m, urgent));
}

function textBody(msg: TextMessage, urgent: boolean): string {
  const names: Names = new Map(msg.mentions.map((m) => [m.id, m.name]));
  const out = splitMentions(msg.text)
    .map((s) => {
      if ('text' in s) return escapeText(s.text);
      const name = escapeText(nameOf(s.userId, names));
      return isFeishuId(s.userId) ? `<at user_id="${nativeId(s.userId)}">${name}</at>` : `@${name}`;
    })
    .join('');
  return urgent && !out.includes('【紧急】') ? `【紧急】${out}` : out;
}

/** Plain text (titles, toasts): `<@id>` → `@name`. */
export function renderPlain(text: string, names: Names): string {
  return splitMentions(text)
    .map((s) => ('text' in s ? s.text : `@${nameOf(s.userId, names)}`))
    .join('');
}

/** Card markdown: `<@id>` → `<at id=ou_x></at>` (the client shows the name), the rest escaped. */
export function renderMarkdown(text: string, names: Names): string {
  return splitMentions(text)
    .map((s) => {
      if ('text' in s) return escapeMarkdown(s.text);
      return isFeishuId(s.userId) ? `<at id=${nativeId(s.userId)}></at>` : escapeMarkdown(`@${nameOf(s.userId, names)}`);
    })
    .join('');
}

const TEMPLATE: Record<CardColor, string> = { blue: 'blue', green: 'green', orange: 'orange', red: 'red', grey: 'grey', purple: 'purple' };
// text_tag has no "grey"; its neutral colour is "neutral".
const TAG_COLOR: Record<CardColor, string> = { blue: 'blue', green: 'green', orange: 'orange', red: 'red', grey: 'neutral', purple: 'purple' };
const BUTTON_TYPE: Record<CardButton['style'], string> = { primary: 'primary_filled', danger: 'danger', default: 'default' };

const plain = (content: string): PlainText => ({ tag: 'plain_text', content });

export function buttonValue(b: CardButton, renamed?: Record<string, string>): ButtonValue {
  const v: ButtonValue = { itemId: b.itemId, action: b.action, version: b.version };
  if (b.for) v.for = b.for;
  if (renamed && Object.keys(renamed).length) v.f = renamed;
  return v;
}

function button(b: CardButton, name: string, submit: boolean, renamed?: Record<string, string>): CardElement {
  return {
    tag: 'button',
    name,
    type: BUTTON_TYPE[b.style],
    text: plain(b.label),
    ...(submit ? { form_action_type: 'submit' as const } : {}),
    behaviors: [{ type: 'callback', value: buttonValue(b, renamed) }],
  };
}

/** One neutral input as its 2.0 component: a text box, a people picker, a date-time picker or a select. */
function inputElement(i: CardInput, name: string): CardElement[] {
  const field = inputField(i, name);
  // The error sits right under its field, in red, so the person sees what to change.
  return i.error ? [...field, { tag: 'markdown', content: `<font color='red'>⚠️ ${escapeMarkdown(i.error)}</font>` }] : field;
}

function inputField(i: CardInput, name: string): CardElement[] {
  const hint = plain(i.placeholder ?? i.label);
  // Pickers and selects carry no label of their own: a line above names the field.
  const label: CardElement = { tag: 'markdown', content: `**${escapeMarkdown(i.label)}**${i.required ? ' *' : ''}` };
  const v = i.value;
  switch (i.kind) {
    case 'people': {
      const ids = (v ?? '').split(',').map((x) => nativeId(x.trim())).filter(Boolean);
      const initial = !ids.length ? {} : i.multiple ? { initial_options: ids } : { initial_option: ids[0]! };
      return [label, { tag: i.multiple ? 'multi_select_person' : 'select_person', name, required: i.required, placeholder: hint, ...initial }];
    }
    case 'date': {
      // The picker takes "yyyy-MM-dd HH:mm"; what it sent carries a zone, which it shows in.
      const initial = v && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(v) ? { initial_datetime: v.replace('T', ' ').slice(0, 16) } : {};
      return [label, { tag: 'picker_datetime', name, required: i.required, placeholder: hint, ...initial }];
    }
    case 'select': {
      const options = (i.options ?? []).map((o) => ({ text: plain(o.label), value: o.value }));
      const initial = v && options.some((o) => o.value === v) ? { initial_option: v } : {};
      return [label, { tag: 'select_static', name, required: i.required, placeholder: hint, options, ...initial }];
    }
    default:
      return [
        {
          tag: 'input',
          name,
          required: i.required,
          label: plain(i.label),
          ...(i.placeholder ? { placeholder: plain(i.placeholder) } : {}),
          ...(i.kind === 'multiline' ? { input_type: 'multiline_text' as const, rows: 2 } : {}),
          ...(v ? { default_value: v } : {}),
        },
      ];
  }
}

/**
 * A button that needs inputs becomes a form (at the body root, as 2.0 requires) holding the
 * inputs and a submit button. Field names must be unique in the whole card, so a name already
 * used gets a suffix and the button's value maps it back.
 */
function form(b: CardButton, index: number, used: Set<string>): CardElement {
  const renamed: Record<string, string> = {};
  const inputs: CardElement[] = (b.inputs ?? []).flatMap((i) => {
    let name = i.name;
    for (let n = 2; used.has(name); n++) name = `${i.name}_${n}`;
    used.add(name);
    if (name !== i.name) renamed[name] = i.name;
    return inputElement(i, name);
  });
  return { tag: 'form', name: `form_${index}`, elements: [...inputs, button(b, `submit_${index}`, true, renamed)] };
}

/**
 * A neutral chart as the card's `chart` element (a VChart spec, plain data, no JavaScript).
 * https://open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/chart
 */
export function chartElement(c: CardChart): CardElement {
  const values = c.labels.flatMap((x, i) => c.series.map((s) => ({ x, series: s.name, y: s.values[i] ?? 0 })));
  return {
    tag: 'chart',
    aspect_ratio: '2:1',
    chart_spec: { type: c.kind, title: { text: c.title }, data: { values }, xField: 'x', yField: 'y', seriesField: 'series', legends: { visible: true } },
  };
}

/** The neutral card as Feishu card JSON 2.0, clipped to the card limit. */
export function renderCard(card: Card): FeishuCard {
  return fitFeishuCard(card, cardJson);
}

function cardJson(card: Card): FeishuCard {
  const names: Names = new Map(card.mentions.map((m) => [m.id, m.name]));
  const elements: CardElement[] = [];
  if (card.fields.length) {
    const lines = card.fields.map((f) => `**${escapeMarkdown(f.label)}**：${renderMarkdown(f.value, names)}`);
    elements.push({ tag: 'markdown', content: lines.join('\n') });
  }
  for (const md of card.markdown) if (md.trim()) elements.push({ tag: 'markdown', content: renderMarkdown(md, names) });
  for (const c of card.charts ?? []) elements.push(chartElement(c));

  const simple = card.buttons.filter((b) => !b.inputs?.length);
  const withInputs = card.buttons.filter((b) => b.inputs?.length);
  if (card.buttons.length) elements.push({ tag: 'hr' });
  if (simple.length) {
    elements.push({
      tag: 'column_set',
      columns: simple.map((b, i) => ({ tag: 'column', width: 'auto', elements: [button(b, `btn_${i}`, false)] })),
    });
  }
  const used = new Set<string>();
  withInputs.forEach((b, i) => elements.push(form(b, i, used)));

  const title = renderPlain(card.header.title, names);
  const out: FeishuCard = {
    schema: '2.0',
    config: { update_multi: true, width_mode: 'fill', summary: { content: renderPlain(card.summary || card.header.title, names) } },
    header: {
      title: plain(title),
      ...(card.header.tag
        ? { text_tag_list: [{ tag: 'text_tag' as const, text: plain(card.header.tag), color: TAG_COLOR[card.header.color] }] }
        : {}),
      template: TEMPLATE[card.header.color],
    },
    body: { elements },
  };
  return out;
}

/** `msg_type` and `content` (a JSON string) for a create, reply or patch. */
export function renderOutbound(msg: Outbound): { msgType: 'text' | 'interactive'; content: string } {
  if (msg.body.type === 'text') return { msgType: 'text', content: JSON.stringify({ text: renderText(msg.body, msg.urgent) }) };
  return { msgType: 'interactive', content: JSON.stringify(renderCard(msg.body.card)) };
}

/**
 * What a message only one person sees is sent as: Feishu's 仅特定人可见 message is a card, so a
 * text becomes a card holding it. Undefined when the message is for the group.
 */
/** A private chat with one person: its id is the person's (`feishu:ou_…`). */
export function isPersonChat(chatId: string): boolean {
  return nativeId(chatId).startsWith('ou_');
}

export function ephemeralCard(msg: Outbound): { openId: string; card: FeishuCard } | undefined {
  const to = msg.body.onlyFor;
  if (!to || !isFeishuId(to) || isPersonChat(msg.chatId) || (msg.body.type === 'card' && msg.body.update)) return undefined;
  const card: Card =
    msg.body.type === 'card'
      ? msg.body.card
      : { header: { title: '协作助手 · 仅你可见', color: 'grey' }, fields: [], markdown: [msg.body.text], buttons: [], mentions: msg.body.mentions, summary: msg.body.text.slice(0, 60), ...(msg.body.more ? { more: msg.body.more } : {}) };
  return { openId: nativeId(to), card: renderCard(card) };
}

/** The answer to a card click: a toast (the success text or the refusal) and the new card. */
export function callbackResponse(r: { ok: boolean; toast: string; card?: Card }, names: Names): CardCallbackResponse {
  const type: ToastType = r.ok ? 'success' : 'error';
  const content = renderPlain(r.toast, names);
  const res: CardCallbackResponse = { toast: { type, content, i18n: { zh_cn: content } } };
  if (r.card) res.card = { type: 'raw', data: renderCard(r.card) };
  return res;
}
