import { parseWhen } from '../../domain/when.ts';
import { type Args, opt } from '../options.ts';
import { done, err, fail, ok, type Got } from '../result.ts';
import { takeId } from '../values.ts';
import type { ParseContext, ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/改期 #N <新时间> reason:<原因>` (the time may also be given as due:). */
export function buildDue(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('due', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('due', id.error);
  const due = newDate(a.value, id.value.rest, i.ctx);
  if (!due.ok) return fail('due', due.error);
  const reason = opt(a.value, 'reason')?.text;
  if (!reason) return fail('due', '缺少改期原因：请写 reason:<原因>');
  return done({ name: 'due', id: id.value.id, due: due.value, reason });
}

/** The new date a command names, typed after `#N` or given as `due:` (not both). */
export function newDate(args: Args, typed: string, ctx: ParseContext): Got<Date> {
  const dueOpt = opt(args, 'due');
  if (dueOpt && typed) return err(`多余的内容：${typed}`);
  if (!dueOpt && !typed) return err('缺少新的截止时间');
  const due = dueOpt?.date ?? parseWhen(typed, ctx);
  return due ? ok(due) : err(`无法识别的时间：${typed}`);
}
