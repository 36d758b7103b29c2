// Splits a command's body into free text and `key:value` options.
//
// The rule for where an option starts and ends (people type these in chat, in two languages):
// - A key starts at the beginning of the body or after whitespace or ，,；;、 and is followed by
//   `:` or `：`. Aliases are tried longest first (`截止时间：` before `截止：`).
// - A quoted value ("…", '…', “…”, 「…」, 『…』, ‘…’) right after the colon is taken verbatim;
//   text after the closing quote is free text again.
// - An unquoted value runs until the next recognised key or the end, so `std:联调通过 并出报告`
//   keeps its spaces. options.ts then hands back what does not belong to the value's kind
//   (e.g. the `@owner` after `sev:重要 @王五`).
// - English keys are strict: `foo:bar`, or a key the command does not take written as
//   `key:value`, is an error, so typos get caught ("Note: ..." with a space stays text).
//   A Chinese key the command does not take is read as text, because Chinese prose uses `：`
//   freely ("客户说：下周交付").
// - A quoted span in free text is protected from key detection and kept as typed.

import { KEY_ALIASES, type Key } from './keys.ts';
import { err, ok, type Got } from './result.ts';

export type Segment =
  | { type: 'text'; text: string }
  | { type: 'opt'; key: Key; label: string; value: string; quoted: boolean };

const QUOTES: Readonly<Record<string, string>> = { '"': '"', "'": "'", '“': '”', '「': '」', '『': '』', '‘': '’' };
const BOUNDARY = /[\s，,；;、]/;
const KEY_RE = new RegExp(`(${KEY_ALIASES.map((a) => a.alias).join('|')})[:：]`, 'iy');
const UNKNOWN_KEY_RE = /([a-z][a-z0-9_-]+)[:：](?!\/\/)(?=\S)/iy;

/** Full-width space, ＃ and ＠ count as their ASCII forms. */
export function normalize(text: string): string {
  return text.replace(/\u3000/g, ' ').replace(/＃/g, '#').replace(/＠/g, '@');
}

type KeyHit = { key: Key; label: string; length: number } | { error: string } | undefined;

function keyAt(body: string, i: number, allowed: ReadonlySet<Key>): KeyHit {
  KEY_RE.lastIndex = i;
  const m = KEY_RE.exec(body);
  if (m) {
    const typed = m[1]!;
    const alias = KEY_ALIASES.find((a) => a.alias === typed.toLowerCase());
    if (alias && allowed.has(alias.key)) return { key: alias.key, label: typed, length: m[0].length };
    // Like unknown words below, an English key the command does not take is only an error
    // when written as `key:value`; "risk: none" in English prose stays text.
    if (alias?.english && /\S/.test(body.charAt(i + m[0].length))) return { error: `此命令不支持选项 ${typed}:` };
    if (alias) return undefined;
  }
  UNKNOWN_KEY_RE.lastIndex = i;
  const u = UNKNOWN_KEY_RE.exec(body);
  if (u) return { error: `未知选项 ${u[1]}:（值里含冒号时请加引号）` };
  return undefined;
}

/**
 * Index of the quote closing the one opened at `i`, or -1. `last` caches each closing quote's
 * last position in the body, so many unclosed quotes cost linear, not quadratic, time.
 */
function closingQuote(body: string, i: number, last: Map<string, number>): number {
  const close = QUOTES[body[i]!];
  if (close === undefined) return -1;
  let end = last.get(close);
  if (end === undefined) {
    end = body.lastIndexOf(close);
    last.set(close, end);
  }
  return end <= i ? -1 : body.indexOf(close, i + 1);
}

export function tokenize(body: string, allowed: ReadonlySet<Key>): Got<Segment[]> {
  const segments: Segment[] = [];
  const last = new Map<string, number>();
  let cur: Segment = { type: 'text', text: '' };
  const flush = () => {
    if (cur.type === 'opt' || cur.text.trim() !== '') segments.push(cur);
  };
  const append = (s: string) => {
    if (cur.type === 'text') cur.text += s;
    else cur.value += s;
  };
  let i = 0;
  while (i < body.length) {
    const ch = body[i]!;
    if (i === 0 || BOUNDARY.test(body[i - 1]!)) {
      const hit = keyAt(body, i, allowed);
      if (hit && 'error' in hit) return err(hit.error);
      if (hit) {
        flush();
        i += hit.length;
        while (body[i] === ' ' || body[i] === '\t') i++;
        if (body[i] !== undefined && QUOTES[body[i]!] !== undefined) {
          const end = closingQuote(body, i, last);
          if (end < 0) return err(`引号未闭合：${hit.label}:${clip(body.slice(i))}`);
          segments.push({ type: 'opt', key: hit.key, label: hit.label, value: body.slice(i + 1, end), quoted: true });
          cur = { type: 'text', text: '' };
          i = end + 1;
        } else {
          cur = { type: 'opt', key: hit.key, label: hit.label, value: '', quoted: false };
        }
        continue;
      }
      const end = closingQuote(body, i, last);
      if (end > 0) {
        append(body.slice(i, end + 1));
        i = end + 1;
        continue;
      }
    }
    append(ch);
    i++;
  }
  flush();
  return ok(segments);
}

/** Error messages quote at most a short piece of what was typed. */
function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
