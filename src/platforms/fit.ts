// Fitting neutral messages into a platform's size limits. Pure and platform-neutral: each
// adapter says what its limits are and how to measure what it renders; this module clips the
// neutral text (before any escaping) until the rendered message fits. Nothing stored is cut —
// only what one message shows — so every clip says where the full content can be read.

import type { Card } from '../domain/card.ts';
import type { TextMessage } from '../domain/chat.ts';

export const ELLIPSIS = '…';

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** What a clipped text ends with: where to read the rest. */
export function clipNote(more: string | undefined): string {
  return more ? `（内容过长，完整内容请发送 ${more}）` : '（内容过长，已截断）';
}

// A mention token cut in half would be shown as raw text; a lone ZWJ or variation selector
// would glue the ellipsis onto half an emoji.
const DANGLING = /(?:<@[^<>\s]*|[\u200d\ufe0f])+$/;

/**
 * The longest prefix of `s` that, with `tail`, fits `maxBytes` of UTF-8. Cuts only between
 * code points (never inside a multibyte character or a surrogate pair) and never inside a
 * mention token. Returns `s` unchanged when it fits.
 */
export function clipBytes(s: string, maxBytes: number, tail = ELLIPSIS): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  const room = maxBytes - utf8Bytes(tail);
  if (room <= 0) return utf8Bytes(tail) <= maxBytes ? tail : '';
  const buf = Buffer.from(s, 'utf8');
  let end = room;
  // Back up over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8').replace(DANGLING, '') + tail;
}

/**
 * Clips a text to `maxBytes`. A text of many lines (a list, a history, a digest) keeps whole
 * lines and says how many were left out; one long line is cut with an ellipsis. Both end with
 * the note pointing at `more`.
 */
export function clipText(s: string, maxBytes: number, more?: string): string {
  if (utf8Bytes(s) <= maxBytes) return s;
  const note = clipNote(more);
  const lines = s.split('\n');
  if (lines.length > 2) {
    const kept: string[] = [];
    let used = 0;
    for (const line of lines) {
      const b = utf8Bytes(line) + 1;
      // Room for the "…另有 N 条未显示" line (a generous count width).
      if (used + b + utf8Bytes(`${ELLIPSIS}另有 0000000 条未显示${note}`) > maxBytes) break;
      kept.push(line);
      used += b;
    }
    // Keep lines only when that keeps most of the text; else one long line would vanish whole.
    if (kept.length > 0 && used >= maxBytes / 2) return `${kept.join('\n')}\n${ELLIPSIS}另有 ${lines.length - kept.length} 条未显示${note}`;
  }
  return clipBytes(s, maxBytes, ELLIPSIS + note);
}

/** Byte budgets of one platform's card, per neutral part. */
export interface CardBudget {
  title: number;
  summary: number;
  tag: number;
  /** Each field value. */
  field: number;
  /** Each markdown paragraph. */
  paragraph: number;
}

/** How far a rendered card is over its limits: bytes over in total, or in one group of parts. */
export interface Excess {
  total?: number;
  fields?: number;
  markdown?: number;
}

interface Part {
  group: 'fields' | 'markdown';
  /** The neutral text as the engine wrote it; every clip starts from it again. */
  orig: string;
  budget: number;
  set: (c: Card, v: string) => void;
}

const MAX_ROUNDS = 40;

/** Next budget for a part: `over` bytes less, and at least an eighth less so the loop ends. */
const shrink = (bytes: number, over: number) => Math.max(0, Math.min(bytes - over - 16, Math.floor((bytes * 7) / 8)));

/**
 * Renders `card` so that it fits: first each part is held to its budget, then, while the
 * rendered card is still over (`excess` measures it, after the adapter's escaping), the largest
 * part of the group that is over is clipped further. Escaping only ever grows text, so cutting
 * `over` bytes of neutral text cuts at least that much of the output. Never fails: if nothing
 * more can be cut, the body is replaced by the note alone.
 */
export function fitCard<T>(card: Card, budget: CardBudget, render: (c: Card) => T, excess: (r: T) => Excess): T {
  const more = card.more;
  const c: Card = {
    ...card,
    header: { ...card.header, title: clipBytes(card.header.title, budget.title), ...(card.header.tag ? { tag: clipBytes(card.header.tag, budget.tag) } : {}) },
    fields: card.fields.map((f) => ({ ...f })),
    markdown: [...card.markdown],
    summary: clipBytes(card.summary || card.header.title, budget.summary),
  };
  const ps: Part[] = [
    ...card.fields.map((f, i): Part => ({ group: 'fields', orig: f.value, budget: budget.field, set: (x, v) => (x.fields[i]!.value = v) })),
    ...card.markdown.map((m, i): Part => ({ group: 'markdown', orig: m, budget: budget.paragraph, set: (x, v) => (x.markdown[i] = v) })),
  ];
  const shown = (p: Part) => clipText(p.orig, p.budget, more);
  // A part is never cut below its pointer: what is left of it still says where the rest is.
  const floor = utf8Bytes(ELLIPSIS + clipNote(more)) + 8;
  for (const p of ps) p.set(c, shown(p));
  // A clipped title has no room for the note: it goes under the card instead.
  if (c.header.title !== card.header.title) c.markdown.push(clipNote(more));
  let out = render(c);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const e = excess(out);
    const over = Math.max(e.total ?? 0, e.fields ?? 0, e.markdown ?? 0);
    if (over <= 0) return out;
    const group = (e.total ?? 0) > 0 ? undefined : (e.fields ?? 0) > 0 ? 'fields' : 'markdown';
    const bytes = (p: Part) => utf8Bytes(shown(p));
    const largest = ps.filter((p) => (!group || p.group === group) && bytes(p) > floor).sort((a, b) => bytes(b) - bytes(a))[0];
    if (!largest) break;
    largest.budget = Math.max(floor, shrink(bytes(largest), over));
    largest.set(c, shown(largest));
    out = render(c);
  }
  if (Object.values(excess(out)).every((v) => (v ?? 0) <= 0)) return out;
  return render({ ...c, fields: c.fields.map((f) => ({ ...f, value: clipBytes(f.value, 64) })), markdown: [clipNote(more)] });
}

/** Renders a text message so that it fits `maxBytes` as measured by `size` (after escaping). */
export function fitText<T>(msg: TextMessage, render: (m: TextMessage) => T, size: (r: T) => number, maxBytes: number): T {
  let out = render(msg);
  let text = msg.text;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const over = size(out) - maxBytes;
    if (over <= 0) return out;
    text = clipText(msg.text, shrink(utf8Bytes(text), over), msg.more);
    out = render({ ...msg, text });
  }
  return render({ ...msg, text: clipNote(msg.more) });
}
