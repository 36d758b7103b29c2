// What people typed, made safe for each Feishu format: it must read as typed, and never become an
// @ (least of all `<at id=all>`), a tag (`<font>`, `<link>`, `<a>`) or a link hiding its target.
// Text messages: https://open.feishu.cn/document/server-docs/im-v1/message-content-description/create_json
// Card markdown:  https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards/card-json-v2-components/content-components/rich-text

/** Invisible, so the text reads the same; it breaks the syntax it sits in. */
const BREAK = '\u200b';

/**
 * A text message knows `<at …>`, a few style tags (`<b>`, `<i>`, `<u>`, `<s>`) and `[text](url)`
 * links, and takes no HTML entities: each is broken with an invisible character instead (links
 * in every markdown form, as DingTalk's are).
 */
export function escapeText(s: string): string {
  return s.replace(/<(?=[A-Za-z/!?])/g, `<${BREAK}`).replace(/\](?=[([:])/g, `]${BREAK}`);
}

/**
 * Card markdown takes HTML entities: `<` and `>` (every tag: `<at>`, `<font>`, `<link>`,
 * autolinks), `[` and `]` (links and images) and `&` (so a typed entity shows as typed).
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/[&<>[\]]/g, (c) => ENTITY[c]!);
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '[': '&#91;', ']': '&#93;' };

/**
 * Whether a native id may be written into an `<at>`: an open_id or user_id (letters, digits,
 * `_` and `-`), never `all`, which would @ the whole group.
 */
export function mentionable(nativeId: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(nativeId) && nativeId.toLowerCase() !== 'all';
}
