// Feishu's message size limits, and the measure they apply to. Pure.
// https://open.feishu.cn/document/server-docs/im-v1/message/create : the request body of a text
// message is at most 150 KB, of a card or post 30 KB (error 230025). The card travels as a JSON
// string inside that body, so it is measured escaped, as sent.

import type { Card } from '../../domain/card.ts';
import type { TextMessage } from '../../domain/chat.ts';
import { type CardBudget, fitCard, fitText, utf8Bytes } from '../fit.ts';

/** Request body limits, in bytes. */
export const CARD_BODY_BYTES = 30 * 1024;
export const TEXT_BODY_BYTES = 150 * 1024;

/** Room for the rest of the body: receive_id (≤ 64), msg_type, uuid (≤ 50) and their keys. */
const ENVELOPE_BYTES = 512;

/**
 * What one part of a card may take. A header title or a notification summary of more than a
 * couple of lines helps no one; fields and paragraphs share what the card has left.
 */
export const CARD_BUDGET: CardBudget = { title: 600, summary: 300, tag: 60, field: 4000, paragraph: CARD_BODY_BYTES };

/** Bytes that `content` (the card or text JSON) takes inside the request body. */
export const contentBytes = (content: unknown): number => utf8Bytes(JSON.stringify(JSON.stringify(content))) + ENVELOPE_BYTES;

export function fitFeishuCard<T>(card: Card, render: (c: Card) => T): T {
  return fitCard(card, CARD_BUDGET, render, (r) => ({ total: contentBytes(r) - CARD_BODY_BYTES }));
}

export function fitFeishuText(msg: TextMessage, render: (m: TextMessage) => string): string {
  return fitText(msg, render, (text) => contentBytes({ text }), TEXT_BODY_BYTES);
}
