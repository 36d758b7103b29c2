import { prose, takeUsers } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { INTERNAL_WORDS, severity, takeFlag } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { requiredDue, takeRequestRef } from './attach.ts';
import { read, type Input } from './input.ts';

/** `/问题 [#需求] [内部] <描述> sev:一般/重要/紧急 @责任人 due: [impact:]` */
export function buildIssue(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('issue', a.error);
  const ref = takeRequestRef(a.value.free);
  if (!ref.ok) return fail('issue', ref.error);
  const inner = takeFlag(ref.value.rest, INTERNAL_WORDS);
  const people = takeUsers(inner.rest, i.ctx);
  if (!people.ok) return fail('issue', people.error);
  const text = prose(people.value.rest, i.ctx);
  if (!text) return fail('issue', '缺少问题描述');
  const s = opt(a.value, 'sev');
  if (!s) return fail('issue', '缺少严重程度：sev:一般/重要/紧急');
  const sev = severity(s.text);
  if (!sev.ok) return fail('issue', sev.error);
  const [owner, ...more] = people.value.users;
  if (!owner) return fail('issue', '缺少责任人：请 @一位责任人');
  if (more.length > 0) return fail('issue', '问题只能有一位责任人');
  const due = requiredDue(a.value, '问题');
  if (!due.ok) return fail('issue', due.error);
  return done({
    name: 'issue',
    text,
    severity: sev.value,
    owner,
    due: due.value,
    impact: opt(a.value, 'impact')?.text,
    requestId: ref.value.requestId,
    ...(inner.found ? { internal: true as const } : {}),
  });
}
