import { prose, takeUsers } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { takeOptionalId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { requiredDue } from './attach.ts';
import { read, type Input } from './input.ts';

/** `/任务 [#N] <任务> @责任人 [with:@H…] due: [std:]` — the mention outside with: is the owner. */
export function buildTask(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('task', a.error);
  const id = takeOptionalId(a.value.free);
  if (!id.ok) return fail('task', id.error);
  const people = takeUsers(id.value.rest, i.ctx);
  if (!people.ok) return fail('task', people.error);
  const title = prose(people.value.rest, i.ctx);
  if (!title) return fail('task', '缺少任务名称');
  const [owner, ...more] = people.value.users;
  if (!owner) return fail('task', '缺少责任人：请 @一位责任人');
  if (more.length > 0) return fail('task', '任务只能有一位责任人；协作人请写在 with: 后');
  const due = requiredDue(a.value, '任务');
  if (!due.ok) return fail('task', due.error);
  const helpers = (opt(a.value, 'with')?.users ?? []).filter((u) => u.id !== owner.id);
  return done({
    name: 'task',
    id: id.value.id,
    title,
    owner,
    helpers,
    due: due.value,
    std: opt(a.value, 'std')?.text,
  });
}
