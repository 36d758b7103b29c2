// /关闭, /重开, /取消: an id, and for the latter two an optional reason (reason: or free text).

import { prose } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { noExtra, takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/关闭 #N` */
export function buildClose(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('close', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('close', id.error);
  const extra = noExtra(id.value.rest);
  if (!extra.ok) return fail('close', extra.error);
  return done({ name: 'close', id: id.value.id });
}

/** `/重开 #N [reason:]` and `/取消 #N [reason:]`; trailing text is the reason too. */
export function buildWithReason(name: 'reopen' | 'cancel'): (i: Input) => ParseResult {
  return (i) => {
    const a = read(i);
    if (!a.ok) return fail(name, a.error);
    const id = takeId(a.value.free);
    if (!id.ok) return fail(name, id.error);
    const reason = [prose(id.value.rest, i.ctx), opt(a.value, 'reason')?.text ?? ''].filter(Boolean).join(' ');
    return done({ name, id: id.value.id, reason: reason || undefined });
  };
}
