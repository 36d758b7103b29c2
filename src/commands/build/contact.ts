import { prose, takeUsers } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { role, takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/**
 * `/对接 #N @C [role:总/子] [方:@总对接人] [duty:<职责>] [原因:<原因>]` — text after the mention is
 * the duty too. No role adds a side with C as its 总对接人; `role:总` written out replaces one.
 */
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
  const sides = opt(a.value, 'side')?.users ?? [];
  if (sides.length > 1) return fail('contact', '方: 后只能 @一位（该方的总对接人）');
  if (sides.length > 0 && (processRole || !r)) return fail('contact', '方: 要和 role:总 或 role:子 一起使用（指明替换或加入哪一方）');
  const reason = opt(a.value, 'reason')?.text;
  const loose = prose(people.value.rest, i.ctx);
  if (dutyOpt && loose) return fail('contact', `多余的内容：${loose}`);
  return done({
    name: 'contact',
    id: id.value.id,
    user,
    role: rl.ok ? rl.value : 'main',
    processRole,
    duty: dutyOpt ?? (loose || undefined),
    ...(external ? { external } : {}),
    ...(r && rl.ok && rl.value === 'main' ? { replace: true as const } : {}),
    ...(sides[0] ? { side: sides[0] } : {}),
    ...(reason ? { reason } : {}),
  });
}
