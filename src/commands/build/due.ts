import { parseWhen } from '../../domain/when.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/改期 #N <新时间> reason:<原因>` (the time may also be given as due:). */
export function buildDue(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('due', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('due', id.error);
  const dueOpt = opt(a.value, 'due');
  const typed = id.value.rest;
  if (dueOpt && typed) return fail('due', `多余的内容：${typed}`);
  if (!dueOpt && !typed) return fail('due', '缺少新的截止时间');
  const due = dueOpt?.date ?? parseWhen(typed, i.ctx);
  if (!due) return fail('due', `无法识别的时间：${typed}`);
  const reason = opt(a.value, 'reason')?.text;
  if (!reason) return fail('due', '缺少改期原因：请写 reason:<原因>');
  return done({ name: 'due', id: id.value.id, due, reason });
}
