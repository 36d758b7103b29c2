import { prose, takeUsers } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { role, takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/对接 #N @C [role:主/子] [duty:<职责>]` — text after the mention is the duty too. */
export function buildContact(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('contact', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('contact', id.error);
  const people = takeUsers(id.value.rest, i.ctx);
  if (!people.ok) return fail('contact', people.error);
  const [user, ...more] = people.value.users;
  if (!user) return fail('contact', '缺少对接人：请 @一位成员');
  if (more.length > 0) return fail('contact', '一次只能设置一位对接人');
  const r = opt(a.value, 'role');
  const rl = r ? role(r.text) : ({ ok: true, value: 'main' } as const);
  // Any other role word names a role of the request's type (法务, 采购…); the engine checks it.
  const processRole = r && !rl.ok ? r.text : undefined;
  const dutyOpt = opt(a.value, 'duty')?.text;
  const external = opt(a.value, 'external')?.text;
  if (external && !processRole) return fail('contact', '外部: 只能和 role:客户对接人/供应商对接人/合作方对接人 一起使用');
  const loose = prose(people.value.rest, i.ctx);
  if (dutyOpt && loose) return fail('contact', `多余的内容：${loose}`);
  return done({ name: 'contact', id: id.value.id, user, role: rl.ok ? rl.value : 'main', processRole, duty: dutyOpt ?? (loose || undefined), ...(external ? { external } : {}) });
}
