// The two things records share: the request they belong to (`#N` first, before the text) and,
// for items that are owed by a date, a deadline that must be written out.

import { WHEN_NOTE } from '../catalog.ts';
import { type Args, opt } from '../options.ts';
import { err, ok, type Got } from '../result.ts';
import { firstWord, parseId } from '../values.ts';

/**
 * `#N` at the start: the request the record belongs to. Only the `#` form counts here — a record
 * may well start with a number ("3 个接口已联调"), and that is its text, not an id.
 */
export function takeRequestRef(text: string): Got<{ requestId?: number; rest: string }> {
  const { word, rest } = firstWord(text);
  if (!/^[#＃]/.test(word)) return ok({ rest: text.trim() });
  const id = parseId(word);
  if (id === undefined) return err(`需求编号无效：${word}（应为 #12）`);
  return ok({ requestId: id, rest });
}

/** The message for a missing deadline: which key, and every time form the parser reads. */
export function dueMissing(what: string): string {
  return `缺少截止时间：${what}必须写明截止时间：截止:<时间>（或 due:<时间>）。${WHEN_NOTE}`;
}

/** The `due:` a request, task or problem must carry. */
export function requiredDue(a: Args, what: string): Got<Date> {
  const due = opt(a, 'due')?.date;
  return due ? ok(due) : err(dueMissing(what));
}
