// DingTalk's message size limits, per path a message can take. Pure.
// - OpenAPI group send (sampleText, sampleMarkdown): `msgParam` is a JSON string of at most
//   15,000 bytes (https://open.dingtalk.com/document/development/the-robot-sends-a-group-message).
// - Session webhook: the custom-robot body is refused above 20,000 bytes (errcode 460101
//   "message too long, exceed 20000 bytes"; not in the docs, reported by robot users).
// - Card variables: no size is documented; each markdown variable is held to 4,000 bytes, and
//   the title and the conversation-list preview to a few lines.

import type { Card } from '../../domain/card.ts';
import type { TextMessage } from '../../domain/chat.ts';
import { type CardBudget, fitCard, fitText, utf8Bytes } from '../fit.ts';

export const MSG_PARAM_BYTES = 15_000;
export const WEBHOOK_BODY_BYTES = 20_000;
/** Each markdown variable of the card template (`fields`, `body`). */
export const CARD_VALUE_BYTES = 4000;
export const CARD_TITLE_BYTES = 500;
export const LAST_MESSAGE_BYTES = 200;
/** sampleMarkdown's title is what the conversation list shows. */
export const MARKDOWN_TITLE_BYTES = 60;

const CARD_BUDGET: CardBudget = { title: CARD_TITLE_BYTES, summary: LAST_MESSAGE_BYTES, tag: 60, field: CARD_VALUE_BYTES, paragraph: CARD_VALUE_BYTES };
const MARKDOWN_BUDGET: CardBudget = { ...CARD_BUDGET, title: MARKDOWN_TITLE_BYTES, field: MSG_PARAM_BYTES, paragraph: MSG_PARAM_BYTES };

const jsonBytes = (v: unknown) => utf8Bytes(JSON.stringify(v));
/** msgParam travels as a JSON string inside the request body. */
export const msgParamBytes = (p: Record<string, string>): number => jsonBytes(p);

/** A card for the shipped template: each markdown variable within its size. */
export function fitTemplateCard<T extends { params: Record<string, string> }>(card: Card, render: (c: Card) => T): T {
  return fitCard(card, CARD_BUDGET, render, (r) => ({
    fields: utf8Bytes(r.params.fields ?? '') - CARD_VALUE_BYTES,
    markdown: utf8Bytes(r.params.body ?? '') - CARD_VALUE_BYTES,
  }));
}

/** A card sent as sampleMarkdown (no template configured). */
export function fitMarkdownCard(card: Card, render: (c: Card) => { title: string; text: string }): { title: string; text: string } {
  return fitCard(card, MARKDOWN_BUDGET, render, (r) => ({ total: msgParamBytes(r) - MSG_PARAM_BYTES }));
}

/** A text that fits both ways it may go: the session webhook body and the group send's msgParam. */
export function fitDingtalkText<T extends { webhook: unknown; plain: string }>(msg: TextMessage, render: (m: TextMessage) => T): T {
  return fitText(msg, render, (r) => Math.max(jsonBytes(r.webhook) - WEBHOOK_BODY_BYTES, msgParamBytes({ content: r.plain }) - MSG_PARAM_BYTES), 0);
}
