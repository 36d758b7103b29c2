// Turns tokenized options into values by kind. An unquoted value may run past what belongs to
// it (`sev:重要 @王五`, `due:周五 之前`, `impact:延期 @王五`); that surplus is handed back to
// the free text right where it stood, so the owner or the title is found there:
// - users: the mentions; any other text goes back.
// - date:  the longest run of leading words that is a valid time; the rest goes back.
// - word:  the first word; the rest goes back.
// - text:  everything, except trailing @mentions, which go back.
// - todo:  everything (its @mention is the to-do's owner).

import { DEFUSED, type UserRef } from '../domain/chat.ts';
import { parseWhen, type WhenOptions } from '../domain/when.ts';
import { KEYS, type Key } from './keys.ts';
import { prose, splitTrailingMentions, takeUsers, tidy } from './mentions.ts';
import { err, ok, type Got } from './result.ts';
import { normalize, tokenize } from './tokenizer.ts';
import type { ParseContext } from './types.ts';

export interface Opt {
  key: Key;
  /** The key as typed, for messages. */
  label: string;
  /** users: empty · date: the time text · word: the word · text: readable text · todo: raw. */
  text: string;
  users: UserRef[];
  date?: Date;
}

export interface Args {
  /** Everything that is not an option value, mention tokens still in place. */
  free: string;
  opts: Opt[];
}

export interface ReadOptions {
  /** Keys that may appear more than once (others are an error when repeated). */
  repeatable?: readonly Key[];
  /** How a bare time of day is read (minutes: today). */
  timeOnly?: WhenOptions['timeOnly'];
}

/** Tokenizes a body for the given keys and resolves every option. */
export function readArgs(body: string, keys: readonly Key[], ctx: ParseContext, ro: ReadOptions = {}): Got<Args> {
  const segs = tokenize(normalize(body), new Set(keys));
  if (!segs.ok) return segs;
  const free: string[] = [];
  const opts: Opt[] = [];
  for (const seg of segs.value) {
    if (seg.type === 'text') {
      free.push(seg.text);
      continue;
    }
    if (!ro.repeatable?.includes(seg.key) && opts.some((o) => o.key === seg.key)) return err(`选项 ${seg.label}: 重复`);
    const r = resolveOpt(seg.key, seg.label, seg.value, seg.quoted, ctx, ro);
    if (!r.ok) return r;
    opts.push(r.value.opt);
    free.push(r.value.back);
  }
  return ok({ free: tidy(free.join(' ')), opts });
}

type Resolved = Got<{ opt: Opt; back: string }>;

function resolveOpt(key: Key, label: string, raw: string, quoted: boolean, ctx: ParseContext, ro: ReadOptions): Resolved {
  const value = tidy(raw);
  if (value === '') return err(`选项 ${label}: 后缺少内容`);
  const base = { key, label, users: [] as UserRef[] };
  switch (KEYS[key].kind) {
    case 'users': {
      const t = takeUsers(value, ctx);
      if (!t.ok) return t;
      if (t.value.users.length === 0) return err(`选项 ${label}: 后需要 @成员`);
      return ok({ opt: { ...base, text: '', users: t.value.users }, back: t.value.rest });
    }
    case 'date':
      return dateOpt(base, label, value, quoted, { now: ctx.now, timezone: ctx.timezone, defaultDueTime: ctx.defaultDueTime, timeOnly: ro.timeOnly });
    case 'word': {
      const [word = '', ...rest] = quoted ? [value] : value.split(' ');
      return ok({ opt: { ...base, text: word }, back: rest.join(' ') });
    }
    case 'text': {
      const { body, trailing } = quoted ? { body: value, trailing: '' } : splitTrailingMentions(value);
      const text = prose(body, ctx);
      if (text === '') return err(`选项 ${label}: 后缺少内容`);
      return ok({ opt: { ...base, text }, back: trailing });
    }
    case 'todo':
      return ok({ opt: { ...base, text: value }, back: '' });
  }
}

const MENTIONISH = new RegExp(`<${DEFUSED}?@[^<>\\s]+>|@\\S+`, 'g');

function dateOpt(base: Omit<Opt, 'text'>, label: string, value: string, quoted: boolean, w: WhenOptions): Resolved {
  // Mentions never belong to a time: `due:周五 @王五` hands @王五 back (a defused token whole).
  const mentions = value.match(MENTIONISH) ?? [];
  const words = value.replace(MENTIONISH, ' ').trim().split(/\s+/).filter(Boolean);
  const upTo = quoted ? [words.length] : words.map((_, k) => words.length - k);
  for (const n of upTo) {
    const text = words.slice(0, n).join(' ');
    const date = parseWhen(text, w);
    if (date) return ok({ opt: { ...base, text, date }, back: [...words.slice(n), ...mentions].join(' ') });
  }
  return words.length === 0 ? err(`选项 ${label}: 后缺少时间`) : err(`无法识别的时间：${words.join(' ')}`);
}

/** The single value of a key, if given. */
export function opt(args: Args, key: Key): Opt | undefined {
  return args.opts.find((o) => o.key === key);
}
