import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { noExtra, takeId, takePct } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/进度 #T 60% [risk:] [plan:]` */
export function buildProgress(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('progress', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('progress', id.error);
  const pct = takePct(id.value.rest);
  if (!pct.ok) return fail('progress', pct.error);
  const extra = noExtra(pct.value.rest);
  if (!extra.ok) return fail('progress', `${extra.error}（风险请写在 risk: 后，措施写在 plan: 后）`);
  return done({ name: 'progress', id: id.value.id, pct: pct.value.pct, risk: opt(a.value, 'risk')?.text, plan: opt(a.value, 'plan')?.text });
}
