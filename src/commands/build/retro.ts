import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { noExtra, takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/复盘 #N [good:] [bad:] [improve:]`, at least one of them. */
export function buildRetro(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('retro', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('retro', id.error);
  const extra = noExtra(id.value.rest);
  if (!extra.ok) return fail('retro', `${extra.error}（请写在 good:/亮点：、bad:/不足：、improve:/改进： 后）`);
  const good = opt(a.value, 'good')?.text;
  const bad = opt(a.value, 'bad')?.text;
  const improve = opt(a.value, 'improve')?.text;
  if (!good && !bad && !improve) return fail('retro', '复盘至少填写一项：good:/亮点：、bad:/不足：、improve:/改进：');
  return done({ name: 'retro', id: id.value.id, good, bad, improve });
}
