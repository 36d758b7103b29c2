import { prose, takeUsers } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/转交 #N @新责任人 [reason:]` — trailing text is the reason too. */
export function buildAssign(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('assign', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('assign', id.error);
  const people = takeUsers(id.value.rest, i.ctx);
  if (!people.ok) return fail('assign', people.error);
  const users = [...people.value.users, ...(opt(a.value, 'to')?.users ?? [])];
  const [to, ...more] = users.filter((u, k) => users.findIndex((x) => x.id === u.id) === k);
  if (!to) return fail('assign', '缺少新的责任人：请 @一位成员');
  if (more.length > 0) return fail('assign', '只能转交给一位责任人');
  const reason = [prose(people.value.rest, i.ctx), opt(a.value, 'reason')?.text ?? ''].filter(Boolean).join(' ');
  return done({ name: 'assign', id: id.value.id, to, reason: reason || undefined });
}
