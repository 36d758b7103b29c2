// What people typed, made safe for each DingTalk format: it must read as typed, and never become an
// @ (`<a atId=…>`, `@all`, `@<userId>`), a tag (`<font>`) or a link (`[x](javascript:…)`).
// Message types: https://open.dingtalk.com/document/development/robot-message-type
// Card markdown: https://open.dingtalk.com/document/development/create-and-deliver-cards
// DingTalk documents no escape syntax for either, so an invisible character breaks each construct.

import { nativeId, platformOf } from '../../domain/chat.ts';

const BREAK = '\u200b';

/**
 * Markdown (card variables, `sampleMarkdown`): every tag or autolink (`<a atId=…>`, `<font>`,
 * `<http://…>`), inline and reference links and images (`](`, `][`, `]:`), and `@all`.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/<(?=[A-Za-z/!?])/g, `<${BREAK}`)
    .replace(/\](?=[([:])/g, `]${BREAK}`)
    .replace(/@(?=all\b)/gi, `@${BREAK}`);
}

/**
 * Session-webhook text: an `@` followed by an id listed in `at.atUserIds` (or `all`) would @ that
 * person, so in typed text it is broken; other text is left alone.
 */
export function escapeWebhookText(s: string, atUserIds: readonly string[]): string {
  return s.replace(/@(?=([^\s@]+))/g, (at, rest: string) =>
    /^all\b/i.test(rest) || atUserIds.some((id) => rest.startsWith(id)) ? `@${BREAK}` : at,
  );
}

/**
 * The DingTalk userId a platform-qualified id may @ for real: an org userId, not an encrypted
 * fallback id (`$:LWCP…`), never `all` / `@ALL`, and nothing that could break out of a tag.
 */
export function atCapable(userId: string): string | undefined {
  try {
    if (platformOf(userId) !== 'dingtalk') return undefined;
  } catch {
    return undefined;
  }
  const id = nativeId(userId);
  return /^[^\s<>"'&@$]+$/.test(id) && id.toLowerCase() !== 'all' ? id : undefined;
}
