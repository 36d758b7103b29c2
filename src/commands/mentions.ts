// Mentions in command text: `<@id>` tokens the platform already resolved (listed in
// ctx.mentions), and plain `@name` typed by hand, resolved through ctx.resolveName. A token the
// platform did not list is never trusted: adapters defuse what people type, so one can only
// come from a bug, and it must not become a mention of whoever the id names (least of all "all").

import { DEFUSED, type UserRef, defuseTokens } from '../domain/chat.ts';
import { err, ok, type Got } from './result.ts';
import type { ParseContext } from './types.ts';

interface Hit {
  start: number;
  end: number;
  id?: string;
  name?: string;
}

// A plain @name runs to whitespace (or a mention token, or list punctuation such as 、，),
// and must not follow a word character, so e-mail addresses are not mentions, nor a defused mark.
const MENTION = new RegExp(`<@([^<>\\s]+)>|(?<![A-Za-z0-9._%+\\-${DEFUSED}])@([^\\s@<>，,、；;。：:]+)`, 'g');

function hits(text: string): Hit[] {
  return [...text.matchAll(MENTION)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    ...(m[1] !== undefined ? { id: m[1] } : { name: m[2]! }),
  }));
}

function resolve(hit: Hit, ctx: ParseContext): Got<UserRef> {
  if (hit.id !== undefined) {
    const id = hit.id;
    const user = ctx.mentions.find((u) => u.id === id);
    return user ? ok(user) : err(`找不到用户 ${defuseTokens(`<@${id}>`)}：请直接 @ 群成员`);
  }
  const user = ctx.resolveName(hit.name!);
  if (user && 'candidates' in user) {
    return err(`@${hit.name} 有 ${user.candidates.length} 位同名成员：${user.candidates.join('；')}。请写 @姓名/群名 或 @姓名/钉钉（飞书）指明是哪一位`);
  }
  return user ? ok(user) : err(`找不到用户 @${hit.name}`);
}

function dedupe(users: UserRef[]): UserRef[] {
  const seen = new Set<string>();
  return users.filter((u) => !seen.has(u.id) && seen.add(u.id));
}

/** Tidies free text: single spaces, trimmed lines, no dangling separators. */
export function tidy(text: string): string {
  return text
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/^[\s，,；;、]+|[\s，,；;、]+$/g, '');
}

/** Resolves and removes every mention: the users, and the text without them. */
export function takeUsers(text: string, ctx: ParseContext): Got<{ users: UserRef[]; rest: string }> {
  const users: UserRef[] = [];
  let rest = '';
  let last = 0;
  for (const h of hits(text)) {
    const u = resolve(h, ctx);
    if (!u.ok) return u;
    users.push(u.value);
    rest += `${text.slice(last, h.start)} `;
    last = h.end;
  }
  rest += text.slice(last);
  return ok({ users: dedupe(users), rest: tidy(rest) });
}

/** The mentions at the very start (`@a @b question…`), and the text after them. */
export function takeLeadingUsers(text: string, ctx: ParseContext): Got<{ users: UserRef[]; rest: string }> {
  const users: UserRef[] = [];
  let last = 0;
  for (const h of hits(text)) {
    if (!/^[\s，,、]*$/.test(text.slice(last, h.start))) break;
    const u = resolve(h, ctx);
    if (!u.ok) return u;
    users.push(u.value);
    last = h.end;
  }
  return ok({ users: dedupe(users), rest: tidy(text.slice(last)) });
}

/** Splits mentions off the end of a value: `延期一天 @王五` → ["延期一天", "@王五"]. */
export function splitTrailingMentions(text: string): { body: string; trailing: string } {
  const all = hits(text);
  let cut = text.trimEnd().length;
  for (let k = all.length - 1; k >= 0; k--) {
    const h = all[k]!;
    if (text.slice(h.end, cut).trim() !== '') break;
    cut = h.start;
  }
  return { body: text.slice(0, cut), trailing: text.slice(cut) };
}

/**
 * Text for people to read: `<@id>` tokens become `@name`; typed @names stay as typed. The result
 * holds no token at all, even where a `<` typed before a mention would make `<@name>` of it.
 */
export function prose(text: string, ctx: ParseContext): string {
  return tidy(
    defuseTokens(text.replace(/<@([^<>\s]+)>/g, (_, id: string) => `@${ctx.mentions.find((u) => u.id === id)?.name ?? id}`)),
  );
}

/** Whether the text holds any mention at all. */
export function hasMention(text: string): boolean {
  return hits(text).length > 0;
}
