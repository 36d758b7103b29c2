import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { takeId, takePct } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/进度 #T 60% [说明] [risk:] [plan:]` */
export function buildProgress(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('progress', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('progress', id.error);
  const pct = takePct(id.value.rest);
  if (!pct.ok) return fail('progress', pct.error);
  // Trailing free text is the update's comment ("/进度 #3 60% 接口已完成").
  const note = pct.value.rest.trim() || undefined;
  return done({ name: 'progress', id: id.value.id, pct: pct.value.pct, risk: opt(a.value, 'risk')?.text, plan: opt(a.value, 'plan')?.text, note });
}
