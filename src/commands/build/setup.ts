import { z } from 'zod';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { noExtra } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

const SetupSchema = z.object({
  project: z.string({ error: '缺少项目名称：project:<项目名称>' }).min(1),
  dept: z.string({ error: '缺少部门：dept:<部门>' }).min(1),
});

/**
 * `/设置 project:<项目名称> dept:<部门> [负责人:@X]`: project and department go together; the
 * leader may be set alone; with no options it shows the group's settings.
 */
export function buildSetup(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('setup', a.error);
  const extra = noExtra(a.value.free);
  if (!extra.ok) return fail('setup', `${extra.error}（请写在 project:、dept: 或 负责人: 后）`);
  const lead = opt(a.value, 'lead');
  if (lead && lead.users.length > 1) return fail('setup', '负责人只能是一位：请只 @一位成员');
  const project = opt(a.value, 'project')?.text;
  const dept = opt(a.value, 'dept')?.text;
  const leader = lead ? { lead: lead.users[0]! } : {};
  if (project === undefined && dept === undefined) return done({ name: 'setup', ...leader });
  const r = SetupSchema.safeParse({ project, dept });
  if (!r.success) return fail('setup', r.error.issues[0]?.message ?? '缺少 project: 或 dept:');
  return done({ name: 'setup', ...r.data, ...leader });
}
