// The neutral model → DingTalk bodies. Pure.
//
// Which @ works where (https://open.dingtalk.com/document/development/robot-message-type and
// https://open.dingtalk.com/document/development/create-and-deliver-cards):
// - session webhook text: `@<userId>` in the content AND the id in at.atUserIds → a real @;
// - OpenAPI group send: no @ at all ("暂不支持 @"), so names are written as plain `@Nick`;
// - card platform: `<a atId=USERID>Nick</a>` in a markdown variable + cardAtUserIds renders the
//   @, and imGroupOpenDeliverModel.atUserIds {userId: nick} notifies those people on delivery.

import { type Card, type CardButton, type CardInput, chartLines } from '../../domain/card.ts';
import { type TextMessage, nativeId, splitMentions } from '../../domain/chat.ts';
import { clipBytes } from '../fit.ts';
import { CARD_TITLE_BYTES, LAST_MESSAGE_BYTES, MARKDOWN_TITLE_BYTES, fitDingtalkText, fitMarkdownCard, fitTemplateCard } from './dingtalk.limits.ts';
import { atCapable, escapeMarkdown, escapeWebhookText } from './dingtalk.escape.ts';

export { atCapable };

const URGENT = '【紧急】';

function displayName(id: string, name: string | undefined): string {
  return name && name !== id ? name : nativeId(id);
}

export interface RenderedText {
  /** Body for a session webhook: real @s. */
  webhook: { msgtype: 'text'; text: { content: string }; at: { atUserIds: string[]; isAtAll: false } };
  /** Text for the OpenAPI group send, which cannot @: `@Nick` as plain text. */
  plain: string;
  /** userId → nickname of the people who should be @-ed. */
  at: Record<string, string>;
}

/** The text for both paths, clipped to fit both. */
export function renderText(msg: TextMessage, urgent = false): RenderedText {
  return fitDingtalkText(msg, (m) => textBodies(m, urgent));
}

function textBodies(msg: TextMessage, urgent: boolean): RenderedText {
  const names = new Map(msg.mentions.map((m) => [m.id, m.name]));
  let webhook = '';
  let plain = '';
  const at: Record<string, string> = {};
  const segs = splitMentions(msg.text);
  const atIds = segs.flatMap((seg) => ('userId' in seg && atCapable(seg.userId)) || []);
  for (const seg of segs) {
    if ('text' in seg) {
      webhook += escapeWebhookText(seg.text, atIds);
      plain += seg.text;
      continue;
    }
    const nick = displayName(seg.userId, names.get(seg.userId));
    const real = atCapable(seg.userId);
    plain += `@${nick}`;
    if (real) {
      webhook += `@${real}`;
      at[real] = nick;
    } else {
      webhook += escapeWebhookText(`@${nick}`, atIds);
    }
  }
  const tag = urgent && !msg.text.includes(URGENT) ? URGENT : '';
  return {
    webhook: { msgtype: 'text', text: { content: tag + webhook }, at: { atUserIds: Object.keys(at), isAtAll: false } },
    plain: tag + plain,
    at,
  };
}

/** Card markdown: mention tokens become `<a atId=…>` (or plain names where no @ is possible);
 *  the text around them, and every nickname, is escaped. */
export function cardMarkdown(text: string, names: ReadonlyMap<string, string>): string {
  return splitMentions(text)
    .map((seg) => {
      if ('text' in seg) return escapeMarkdown(seg.text);
      const nick = displayName(seg.userId, names.get(seg.userId));
      const real = atCapable(seg.userId);
      return real ? `<a atId=${real}>${escapeMarkdown(nick)}</a>` : escapeMarkdown(`@${nick}`);
    })
    .join('');
}

/** Plain text for toasts and notices: mention tokens become `@Nick`. */
export function plainText(text: string, names: ReadonlyMap<string, string>): string {
  return splitMentions(text)
    .map((seg) => ('text' in seg ? seg.text : `@${displayName(seg.userId, names.get(seg.userId))}`))
    .join('');
}

/** Plain buttons the shipped template has slots for; a button with inputs goes to the form. */
export const BUTTON_SLOTS = 3;

export interface RenderedCard {
  /** cardData.cardParamMap: string values only (the card platform's rule). */
  params: Record<string, string>;
  /** userId → nick to notify on delivery (the people a button is for). */
  notify: Record<string, string>;
  /** Every real-@ user in the card's markdown. */
  cardAtUserIds: string[];
  /** Buttons the template had no slot for (logged by the caller). */
  dropped: number;
}

/**
 * A neutral card → the variables of the shipped template (cards/dingtalk/groupflow.card.json).
 * Every button sends back action, itemId, version and `for` as callback params.
 */
export function renderCard(card: Card, urgent = false): RenderedCard {
  return fitTemplateCard(card, (c) => templateCard(c, urgent));
}

function templateCard(card: Card, urgent: boolean): RenderedCard {
  const names = new Map(card.mentions.map((m) => [m.id, m.name]));
  const md = (s: string) => cardMarkdown(s, names);
  const params: Record<string, string> = {
    lastMessage: clipBytes(plainText(card.summary, names), LAST_MESSAGE_BYTES),
    title: clipBytes((urgent && !card.header.title.includes(URGENT) ? URGENT : '') + plainText(card.header.title, names), CARD_TITLE_BYTES),
    color: card.header.color,
    tag: card.header.tag ?? '',
    fields: card.fields.map((f) => `**${f.label}**：${md(f.value)}`).join('\n'),
    // The template has no chart: its numbers follow as a list.
    body: [...card.markdown, ...(card.charts ?? []).map((c) => chartLines(c).join('\n'))].map(md).join('\n\n'),
    // The per-user result of a click (refusals included); only ever set as private data.
    notice: '',
  };
  const withInputs = card.buttons.find((b) => b.inputs?.length);
  const plainButtons = card.buttons.filter((b) => b !== withInputs);
  for (let i = 0; i < BUTTON_SLOTS; i++) Object.assign(params, slot(`btn${i + 1}`, plainButtons[i]));
  Object.assign(params, slot('form', withInputs));
  params.form_fields = JSON.stringify({
    fields: (withInputs?.inputs ?? []).map((inp) => ({
      name: inp.name,
      label: inp.label,
      type: 'TEXT',
      required: inp.required,
      placeholder: inp.placeholder ?? textHint(inp),
    })),
  });
  const notify: Record<string, string> = {};
  for (const b of card.buttons) {
    const real = b.for ? atCapable(b.for) : undefined;
    if (real && b.for) notify[real] = displayName(b.for, names.get(b.for));
  }
  const cardAtUserIds = card.mentions.flatMap((m) => {
    const real = atCapable(m.id);
    return real ? [real] : [];
  });
  return { params, notify, cardAtUserIds: [...new Set(cardAtUserIds)], dropped: Math.max(0, plainButtons.length - BUTTON_SLOTS) };
}

/** The shipped form has text fields only: say in each what to write where another platform picks. */
function textHint(inp: CardInput): string {
  switch (inp.kind) {
    case 'people':
      return inp.multiple ? '写成员名字，多人用空格隔开，如 李四 王五' : '写一位成员的名字，如 李四';
    case 'date':
      return '如 12月20日 18:00、周五、明天下午3点';
    case 'select':
      return (inp.options ?? []).map((o) => o.value).join(' / ');
    default:
      return '';
  }
}

function slot(prefix: string, b: CardButton | undefined): Record<string, string> {
  return {
    [`${prefix}_visible`]: b ? 'true' : 'false',
    [`${prefix}_text`]: b?.label ?? '',
    [`${prefix}_style`]: b?.style ?? 'default',
    [`${prefix}_action`]: b?.action ?? '',
    [`${prefix}_item`]: b ? String(b.itemId) : '',
    [`${prefix}_version`]: b ? String(b.version) : '',
    [`${prefix}_for`]: b?.for ?? '',
  };
}

/** A notice card (no buttons) for a text that must @ people when no session webhook is valid. */
export function noticeCard(msg: TextMessage, urgent = false): RenderedCard {
  const firstLine = plainText(msg.text, new Map(msg.mentions.map((m) => [m.id, m.name]))).split('\n')[0] ?? '';
  const card: Card = {
    header: { title: urgent ? '【紧急】提醒' : '提醒', color: urgent ? 'red' : 'blue' },
    fields: [],
    markdown: [msg.text],
    buttons: [],
    mentions: msg.mentions.map((m) => ({ id: m.id, name: m.name })),
    summary: firstLine,
    ...(msg.more ? { more: msg.more } : {}),
  };
  const r = renderCard(card, false);
  for (const m of msg.mentions) {
    const real = atCapable(m.id);
    if (real) r.notify[real] = displayName(m.id, m.name);
  }
  return r;
}

/** A card as markdown, for when no card template is configured (no buttons possible). */
export function cardAsMarkdown(card: Card, urgent = false): { title: string; text: string } {
  return fitMarkdownCard(card, (c) => markdownBody(c, urgent));
}

function markdownBody(card: Card, urgent: boolean): { title: string; text: string } {
  const names = new Map(card.mentions.map((m) => [m.id, m.name]));
  // A markdown message: the plain texts are escaped, no @ is possible on this route anyway.
  const p = (s: string) => escapeMarkdown(plainText(s, names));
  const title = (urgent ? URGENT : '') + plainText(card.header.title, names);
  const lines = [`### ${escapeMarkdown(title)}${card.header.tag ? `（${card.header.tag}）` : ''}`];
  for (const f of card.fields) lines.push(`- **${f.label}**：${p(f.value)}`);
  for (const m of card.markdown) lines.push('', p(m));
  for (const c of card.charts ?? []) lines.push('', ...chartLines(c).map(p));
  return { title: clipBytes(title, MARKDOWN_TITLE_BYTES), text: lines.join('\n') };
}
